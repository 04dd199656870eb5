"""`catalog check` as a CI job runs it: its lines and exit codes against a served catalog with
lifecycle facts written in, --retires-within, --file in one request, what it imports (no web
framework), and action.yml's steps run as GitHub runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from servers import CATALOG, CHECKOUT, Server

from catalog.cli import main
from catalog.client import Client

AZURE_PAGE = (
    "https://learn.microsoft.com/en-us/azure/ai-foundry/concepts/model-lifecycle-retirement"
)
BEDROCK_PAGE = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html"
MISTRAL_PAGE = "https://docs.mistral.ai/getting-started/models/"

# Test facts, written into the served catalog through the API as a maintainer would.
LIFECYCLE: dict[str, dict[str, Any]] = {
    "azure:mistral-large-2402:serverless": {
        "deprecated_from": "2025-01-15",
        "deprecated_from_certainty": "exact",
        "deprecated_from_source": AZURE_PAGE,
        "retired_from": "2025-04-15",
        "retired_from_certainty": "exact",
        "retired_from_source": AZURE_PAGE,
        "replacement": "mistral-medium-2505",
    },
    "aws:mistral-large-2402:serverless": {
        "deprecated_from": "2025-03-01",
        "deprecated_from_certainty": "exact",
        "deprecated_from_source": BEDROCK_PAGE,
        "retired_from": "2025-07-01",
        "retired_from_certainty": "announced",
        "retired_from_source": BEDROCK_PAGE,
        "replacement": "mistral-large-2407",
    },
    "la-plateforme:mistral-large-2402:serverless": {
        "retired_from": "2025-06-01",
        "retired_from_certainty": "not-before",
        "retired_from_source": MISTRAL_PAGE,
    },
}
# What the check must not load: the service's frameworks, and requests (its reads use the
# standard library: requests alone cost about as much start-up as the rest of the check).
NOT_LOADED = {"flask", "werkzeug", "marshmallow", "gunicorn", "gevent", "jinja2", "apispec"}
NOT_LOADED |= {"requests", "urllib3"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("check")
    running = Server(folder, database=folder / "catalog.db")
    running.start()
    writer = Client(running.url, token=running.token())
    for offering, changes in LIFECYCLE.items():
        _, etag = writer.read(f"offerings/{offering}")
        writer.patch(f"offerings/{offering}", changes, etag)
    yield running.url
    running.stop()


def check(url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args, "--url", url], input=stdin)
    return result.exit_code, result.output.strip()


ML = "mistral-large-2402"


def test_retired_says_when_how_sure_and_what_instead(served: str) -> None:
    assert check(served, ML, "--cloud", "azure", "--at", "2025-05-01") == (
        1,
        "mistral-large-2402 is not available on azure at 2025-05-01: retired on 2025-04-15 "
        "(exact); Azure suggests mistral-medium-2505",
    )


def test_past_announced_retirement_ends_availability(served: str) -> None:
    assert check(served, ML, "--cloud", "aws", "--at", "2025-08-01") == (
        1,
        "mistral-large-2402 is not available on aws at 2025-08-01: retired on 2025-07-01 "
        "(announced); AWS suggests mistral-large-2407",
    )


def test_unknown_regions_are_not_a_no(served: str) -> None:
    # Bedrock's Claude Sonnet 4.5: every route's regions are unknown to the catalog.
    code, said = check(served, "claude-sonnet-4-5", "--cloud", "aws", "--region", "us-east-1",
                       "--at", "2026-06-01")  # fmt: skip
    assert code == 1 and "not offered there" not in said
    assert said == (
        "claude-sonnet-4-5 is not available on aws (us-east-1) at 2026-06-01: not known to be "
        "offered there: the regions of aws:claude-sonnet-4-5:serverless and 5 more of its "
        "offerings are unknown"
    )
    answer = Client(served).availability("claude-sonnet-4-5", "aws", region="us-east-1",
                                         at="2026-06-01")  # fmt: skip
    assert answer["available"] is False
    assert "aws:claude-sonnet-4-5:serverless" in answer["regions_unknown"]
    assert "aws:claude-sonnet-4-5:data-zone-eu" in answer["regions_unknown"]
    # Where a region is known to serve it, nothing is in doubt.
    known = Client(served).availability("mistral-large-2407", "aws", region="us-west-2",
                                        at="2026-06-01")  # fmt: skip
    assert known["available"] is True and known["regions_unknown"] == []


def test_deprecated_warns_and_holds(served: str) -> None:
    assert check(served, ML, "--cloud", "aws", "--region", "eu-west-3", "--at", "2025-05-01") == (
        0,
        "mistral-large-2402 is available on aws (eu-west-3) at 2025-05-01 via serverless; "
        "warning: deprecated "
        "since 2025-03-01 (exact), retires on 2025-07-01 (announced; 61 days); "
        "AWS suggests mistral-large-2407",
    )


def test_retires_within(served: str) -> None:
    base = (ML, "--cloud", "aws", "--at", "2025-05-01", "--retires-within")
    assert check(served, *base, "61")[0] == 0  # 2025-07-01 is not before 2025-05-01 + 61 days
    code, line = check(served, *base, "62")
    assert code == 1
    assert line == (
        "mistral-large-2402 is available on aws at 2025-05-01, but retires on 2025-07-01 "
        "(announced; 61 days): within 62 days; AWS suggests mistral-large-2407"
    )


def test_not_before_keeps_it_available_and_counts_for_retires_within(served: str) -> None:
    base = (ML, "--cloud", "la-plateforme", "--at")
    assert check(served, *base, "2025-05-01") == (
        0,
        "mistral-large-2402 is available on la-plateforme at 2025-05-01; warning: deprecated "
        "since 2024-11-30 (exact), retires no earlier than 2025-06-01 (not-before; 31 days); "
        "Mistral La Plateforme suggests mistral-large-2411",
    )
    code, line = check(served, *base, "2025-08-01")  # the day has passed: still available
    assert code == 0 and "no earlier than 2025-06-01 (not-before; 61 days ago)" in line
    code, line = check(served, *base, "2025-08-01", "--retires-within", "0")
    assert code == 1 and "within 0 days; Mistral La Plateforme suggests" in line


def test_json_carries_lifecycle(served: str) -> None:
    code, output = check(served, ML, "--cloud", "azure", "--at", "2025-05-01", "--json")
    answer = json.loads(output)
    assert code == 1 and answer["holds"] is False
    assert answer["lifecycle"]["state"] == "retired"
    assert answer["lifecycle"]["replacement"] == "mistral-medium-2505"


PAIRS = f"""# model cloud [region]
{ML} azure
{ML} aws   eu-west-3

{ML} la-plateforme   # Mistral's own
"""


def test_file_three_pairs_in_one_request(served: str, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.txt"
    pairs.write_text(PAIRS)
    code, output = check(served, "--file", str(pairs), "--at", "2025-05-01")
    assert code == 1
    assert output.splitlines() == [
        "mistral-large-2402 is not available on azure at 2025-05-01: retired on 2025-04-15 "
        "(exact); Azure suggests mistral-medium-2505",
        "mistral-large-2402 is available on aws (eu-west-3) at 2025-05-01 via serverless; "
        "warning: deprecated "
        "since 2025-03-01 (exact), retires on 2025-07-01 (announced; 61 days); "
        "AWS suggests mistral-large-2407",
        "mistral-large-2402 is available on la-plateforme at 2025-05-01; warning: deprecated "
        "since 2024-11-30 (exact), retires no earlier than 2025-06-01 (not-before; 31 days); "
        "Mistral La Plateforme suggests mistral-large-2411",
    ]
    # Standard input, and every pair holding: exit 0.
    holding = "\n".join(PAIRS.splitlines()[2:])
    assert check(served, "--file", "-", "--at", "2025-05-01", stdin=holding)[0] == 0
    code, output = check(
        served, "--file", "-", "--at", "2025-05-01", "--retires-within", "45", stdin=holding
    )
    assert code == 1 and ["within 45 days" in line for line in output.splitlines()] == [
        False,
        True,
    ]


def test_file_json(served: str) -> None:
    code, output = check(served, "--file", "-", "--at", "2025-05-01", "--json", stdin=PAIRS)
    items = json.loads(output)["items"]
    assert code == 1
    assert [(i["cloud"], i["ok"], i["lifecycle"]["state"]) for i in items] == [
        ("azure", False, "retired"),
        ("aws", True, "deprecated"),
        ("la-plateforme", True, "deprecated"),
    ]


def test_file_101_pairs_is_refused(served: str) -> None:
    code, output = check(served, "--file", "-", stdin=f"{ML} azure\n" * 101)
    assert code == 2
    assert "Give 1 to 100 pairs in one request (101 given)" in output
    assert check(served, "--file", "-", "--at", "2025-05-01", stdin=f"{ML} aws\n" * 100)[0] == 0


@pytest.mark.parametrize(
    ("args", "stdin", "said"),
    [
        (("--file", "-"), "gpt-4o\n", "line 1: expected MODEL CLOUD [REGION]"),
        (("--file", "-"), "# nothing\n\n", "no MODEL CLOUD [REGION] line"),
        (("--file", "-"), "gpt-4o awz\n", "there is no cloud 'awz'"),
        ((ML, "--file", "-"), f"{ML} aws\n", "not both"),
        (("--cloud", "aws"), None, "Give MODEL and --cloud"),
        ((ML,), None, "Give MODEL and --cloud"),
        ((ML, "--cloud", "aws", "--retires-within", "-1"), None, "--retires-within"),
    ],
)
def test_usage_errors_exit_2(served: str, args: tuple[str, ...], stdin: str, said: str) -> None:
    code, output = check(served, *args, stdin=stdin)
    assert code == 2 and said in output


def test_real_process_file_from_stdin(served: str) -> None:
    """The exit code a CI job sees, from the installed console script."""
    base = [CATALOG, "check", "--file", "-", "--at", "2025-05-01", "--url", served]
    failing = subprocess.run(base, input=PAIRS, capture_output=True, text=True)
    assert failing.returncode == 1 and len(failing.stdout.splitlines()) == 3
    holding = subprocess.run(base, input=f"{ML} aws eu-west-3\n", capture_output=True, text=True)
    assert holding.returncode == 0, holding.stderr


# Runs the check path for real (a request included) and lists the top-level modules it loaded.
PROBE = """
import sys
from catalog.cli import main
try:
    main(["check", *sys.argv[1:]])
except SystemExit as done:
    print(done.code)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--help",), "0"),
        ((ML, "--cloud", "azure", "--at", "2025-05-01"), "1"),
        (("--file", "-", "--at", "2025-05-01"), "1"),
    ],
)
def test_check_imports_no_web_framework_nor_requests(
    served: str, args: tuple[str, ...], code: str
) -> None:
    probe = [sys.executable, "-c", PROBE, *args, "--url", served]
    result = subprocess.run(probe, input=PAIRS, capture_output=True, text=True, check=True)
    *_, exit_code, modules = result.stdout.splitlines()
    assert exit_code == code, result.stdout
    assert {"click", "catalog"} <= set(modules.split())
    assert NOT_LOADED & set(modules.split()) == set()


# ---- action.yml, run as a GitHub runner runs a composite action ------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(inputs\.[\w-]+|github\.action_path)\s*\}\}")


class Action:
    """action.yml's steps run in bash as the runner does (`bash --noprofile --norc -eo pipefail`),
    its expressions filled in, with the action's files at `path`."""

    def __init__(self, path: Path, runner: Path) -> None:
        self.path, self.runner = path, runner
        self.spec = yaml.safe_load((path / "action.yml").read_text())
        runner.mkdir()

    def run(self, step: int, **given: str) -> subprocess.CompletedProcess[str]:
        declared = self.spec["inputs"]
        inputs = {name: given.get(name, spec.get("default", "")) for name, spec in declared.items()}
        missing = [n for n, spec in declared.items() if spec.get("required") and not inputs[n]]
        assert missing == [], f"required inputs not given: {missing}"

        def fill(text: str) -> str:
            name = EXPRESSION.fullmatch(text.strip())
            assert name, f"only inputs and the action's path are used: {text}"
            key = name.group(1)
            return str(self.path) if key == "github.action_path" else inputs[key[len("inputs.") :]]

        found = self.spec["runs"]["steps"][step]
        assert "${{" not in found["run"], "inputs reach the script as variables only"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
        env |= {name: fill(value) for name, value in found.get("env", {}).items()}
        env |= {"RUNNER_TEMP": str(self.runner), "GITHUB_PATH": str(self.runner / "github_path")}
        script = self.runner / "step.sh"
        script.write_text(found["run"])
        bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
        return subprocess.run(bash, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def action(tmp_path_factory: pytest.TempPathFactory) -> Action:
    """The repository's files as `uses:` checks them out, and the action's install step run."""
    root = tmp_path_factory.mktemp("action")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=CHECKOUT, capture_output=True, text=True, check=True
    ).stdout
    for name in filter(None, tracked.split("\0")):
        source, target = CHECKOUT / name, root / "repo" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # catalog/fixtures
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)
    runs = Action(root / "repo", root / "runner")
    installed = runs.run(0, model=ML, cloud="aws", url="http://127.0.0.1:9")
    assert installed.returncode == 0, installed.stderr[-2000:]
    return runs


def test_action_declares_the_inputs() -> None:
    spec = yaml.safe_load((CHECKOUT / "action.yml").read_text())
    assert set(spec["inputs"]) == {"model", "cloud", "region", "retires-within", "url"}
    assert spec["runs"]["using"] == "composite"


def test_action_installs_only_what_the_check_needs(action: Action) -> None:
    venv = action.runner / "catalog-check"
    listed = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = {p["name"].lower() for p in json.loads(listed)}
    assert {"catalog", "click"} <= names
    assert (
        names & {"flask", "marshmallow", "gunicorn", "gevent", "sqlite-utils", "requests"} == set()
    )
    assert (action.runner / "github_path").read_text().strip() == str(venv / "bin")


def test_action_check_step(action: Action, served: str) -> None:
    retired = action.run(1, model=ML, cloud="azure", url=served)
    assert retired.returncode == 1
    assert "retired on 2025-04-15 (exact); Azure suggests mistral-medium-2505" in retired.stdout
    holds = action.run(1, model="gpt-oss-120b", cloud="aws", region="us-west-2", url=served)
    assert holds.returncode == 0, holds.stdout + holds.stderr
    assert holds.stdout.startswith("gpt-oss-120b is available on aws (us-west-2) at ")
    soon = action.run(1, model=ML, cloud="la-plateforme", url=served, **{"retires-within": "30"})
    assert soon.returncode == 1 and "no earlier than 2025-06-01 (not-before" in soon.stdout
    unknown = action.run(1, model="no-such-model", cloud="aws", url=served)
    assert unknown.returncode == 2 and "no-such-model" in unknown.stderr
