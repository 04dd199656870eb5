"""The `catalog` command: serve from an empty folder, check's exit codes, help for everything."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import requests
from click.testing import CliRunner
from servers import CATALOG, Server, free_port

from catalog.cli import main


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`catalog serve` started as a user would, in an empty folder with no settings."""
    folder = tmp_path_factory.mktemp("empty")
    running = Server(folder, cwd=folder)
    running.start(workers=2)
    assert (folder / "catalog.db").exists()
    yield running.url
    running.stop()


def test_serve_seeds_and_answers(server: str) -> None:
    body = requests.get(
        f"{server}/v1/offerings?model=mistral-large-2402&at=2024-03-15", timeout=5
    ).json()
    assert {"azure", "la-plateforme"} <= {o["cloud"] for o in body["items"]}
    assert requests.get(f"{server}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{server}/openapi.yaml", timeout=5).text.startswith("openapi: 3.0.3")


def test_serve_on_a_taken_port_says_so_in_one_line(server: str, tmp_path: Path) -> None:
    port = server.rsplit(":", 1)[1]
    result = subprocess.run(
        [CATALOG, "serve", "--port", port],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        env={k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")},
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use. Is a catalog already "
        "running there? Pick another with --port (clients take --url or CATALOG_URL)."
    ]
    assert not (tmp_path / "catalog.db").exists()  # nothing was started


def check(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args, "--url", url])
    return result.exit_code, result.output


def test_check_exclusive_holds(server: str) -> None:
    code, output = check(
        server, "mistral-large-2402", "--cloud", "azure", "--at", "2024-03-15", "--exclusive"
    )
    assert code == 0, output
    assert "exclusively until about 2024-04-03 (inferred; 19 days)" in output


def test_check_min_days_fails(server: str) -> None:
    code, output = check(
        server,
        "mistral-large-2402",
        "--cloud",
        "azure",
        "--at",
        "2024-03-15",
        "--exclusive",
        "--min-days",
        "60",
    )
    assert code == 1
    assert "fewer than 60 days" in output


def test_check_not_available_says_why(server: str) -> None:
    code, output = check(server, "mistral-large-2402", "--cloud", "aws", "--at", "2024-03-15")
    assert code == 1
    assert output.strip() == (
        "mistral-large-2402 is not available on aws at 2024-03-15: "
        "Azure holds exclusivity until about 2024-04-03 (inferred; 19 days)"
    )


def test_check_available_and_json(server: str) -> None:
    code, output = check(
        server,
        "gpt-oss-120b",
        "--cloud",
        "aws",
        "--region",
        "us-west-2",
        "--at",
        "2025-09-01",
        "--json",
    )
    assert code == 0
    answer = json.loads(output)
    assert (
        answer["holds"] is True and answer["available"] is True and answer["region"] == "us-west-2"
    )


def test_check_unknown_model_is_a_usage_error(server: str) -> None:
    code, output = check(server, "no-such-model", "--cloud", "aws")
    assert code == 2 and "no-such-model" in output


def test_check_unreachable_is_exit_2() -> None:
    code, output = check(f"http://127.0.0.1:{free_port()}", "gpt-4o", "--cloud", "aws")
    assert code == 2 and "cannot reach" in output


def test_check_bad_at_is_exit_2() -> None:
    code, output = check("http://127.0.0.1:9", "gpt-4o", "--cloud", "aws", "--at", "someday")
    assert code == 2 and "--at" in output


def test_check_missing_cloud_is_exit_2() -> None:
    assert CliRunner().invoke(main, ["check", "gpt-4o"]).exit_code == 2


def test_check_real_process_exit_codes(server: str) -> None:
    """The exit code a CI script sees, from the installed console script."""
    base = [
        CATALOG,
        "check",
        "mistral-large-2402",
        "--cloud",
        "azure",
        "--at",
        "2024-03-15",
        "--url",
        server,
    ]
    assert subprocess.run([*base, "--exclusive"], capture_output=True).returncode == 0
    assert (
        subprocess.run([*base, "--exclusive", "--min-days", "60"], capture_output=True).returncode
        == 1
    )


def commands(group: click.Group) -> Iterator[tuple[str, click.Command]]:
    context = click.Context(group)
    for name in group.list_commands(context):  # the lazy group's too, each imported here
        command = group.get_command(context, name)
        assert command is not None, name
        yield name, command
        if isinstance(command, click.Group):
            for sub, subcommand in commands(command):
                yield f"{name} {sub}", subcommand


@pytest.mark.parametrize(("name", "command"), list(commands(main)))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output, name
    assert (command.help or "").strip()


def test_gunicorn_refusals_are_problems_too(server: str) -> None:
    response = requests.get(f"{server}/v1/models?q={'a' * 9000}", timeout=5)
    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 414


def test_tokens_create_list_revoke(runner: CliRunner, tmp_path: Path) -> None:
    from catalog.http import auth
    from catalog.storage import db

    created = runner.invoke(main, ["tokens", "create", "alice", "--scope", "write"])
    assert created.exit_code == 0
    secret = created.stdout.strip()
    assert secret.startswith("cat_") and "\n" not in secret  # alone on stdout, for scripts
    conn = db.connect(os.environ["CATALOG_DATABASE"])
    stored = conn.execute("SELECT hash FROM tokens WHERE name = 'alice'").fetchone()[0]
    assert secret not in stored and stored == auth.digest(secret)  # only the hash is kept
    token = auth.verify(conn, secret)
    assert token is not None and token.scopes == {"write"}
    assert runner.invoke(main, ["tokens", "create", "alice", "--scope", "read"]).exit_code == 1
    listing = runner.invoke(main, ["tokens", "list"]).output
    assert "alice\twrite" in listing and "live" in listing and secret not in listing
    assert runner.invoke(main, ["tokens", "revoke", "alice"]).exit_code == 0
    assert auth.verify(conn, secret) is None
    assert runner.invoke(main, ["tokens", "revoke", "alice"]).exit_code == 1
    assert runner.invoke(main, ["tokens", "create", "bob", "--scope", "admin"]).exit_code == 2
    conn.close()


def test_snapshot_is_a_consistent_copy(runner: CliRunner, tmp_path: Path) -> None:
    import sqlite3

    from catalog.storage import loading

    loading.seed_if_empty(os.environ["CATALOG_DATABASE"])
    out = tmp_path / "copy.db"
    assert runner.invoke(main, ["snapshot", str(out)]).exit_code == 0
    copy = sqlite3.connect(out)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM offerings").fetchone()[0] >= 60
    assert copy.execute("SELECT count(*) FROM changes").fetchone()[0] >= 60
    copy.close()
    assert runner.invoke(main, ["snapshot", str(out)]).exit_code == 1  # never overwrites


def test_read_only_replica_serves_a_snapshot(tmp_path: Path) -> None:
    """The replica set-up the README describes: a snapshot, served read-only."""
    from catalog.storage import loading

    primary = tmp_path / "primary.db"
    loading.seed_if_empty(primary)
    replica = tmp_path / "replica.db"
    env = {**os.environ, "CATALOG_DATABASE": str(primary)}
    subprocess.run([CATALOG, "snapshot", str(replica)], env=env, check=True, capture_output=True)
    server = Server(tmp_path, database=replica, settings={"CATALOG_READ_ONLY": "1"})
    server.start()
    try:
        assert requests.get(f"{server.url}/v1/models/gpt-4o", timeout=5).status_code == 200
        refused = requests.post(
            f"{server.url}/v1/providers", json={"id": "x", "name": "X"}, timeout=5
        )
        assert refused.status_code == 405 and refused.json()["type"] == "/problems/read-only"
    finally:
        server.stop()
