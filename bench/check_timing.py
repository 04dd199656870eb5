"""How long `catalog check` takes as a CI job runs it: its start-up, one real check, and 20
pairs as one --file call beside 20 single calls (interleaved in the same run, so the ratio
holds on a busy machine even where the absolute times do not). Each figure is wall time and
the CPU time of the process (user + system), which a busy machine inflates far less; the bare
interpreter's start is measured alongside, as the floor.

    python bench/check_timing.py --url http://127.0.0.1:8000 [--catalog PATH] [--runs 15]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time

PAIRS = [
    ("gpt-4o", "azure", "eastus"),
    ("gpt-4o", "openai-api", None),
    ("gpt-oss-120b", "aws", "us-west-2"),
    ("mistral-large-2402", "azure", None),
    ("mistral-large-2402", "aws", None),
    ("mistral-large-2402", "la-plateforme", None),
    ("command-r-plus", "aws", "us-east-1"),
    ("claude-sonnet-4-5", "aws", None),
    ("claude-sonnet-4-5", "gcp", None),
    ("claude-sonnet-4-5", "anthropic-api", None),
    ("gemini-2.5-pro", "gcp", None),
    ("gemini-2.5-flash", "gcp", None),
    ("gemini-2.5-flash-lite", "gcp", None),
    ("gemini-2.0-flash", "gcp", None),
    ("llama-3-1-405b-instruct", "aws", None),
    ("llama-3-1-405b-instruct", "azure", None),
    ("gpt-5.1", "azure", None),
    ("gpt-5.1", "openai-api", None),
    ("mistral-medium-2505", "azure", None),
    ("mistral-large-2407", "azure", None),
]


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(command: list[str], stdin: str | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    cpu, started = _cpu(), time.perf_counter()
    done = subprocess.run(command, input=stdin, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return time.perf_counter() - started, _cpu() - cpu


def summary(name: str, times: list[tuple[float, float]]) -> None:
    wall, cpu = [t[0] * 1000 for t in times], [t[1] * 1000 for t in times]
    print(
        f"{name}: wall min {min(wall):.0f} ms, median {statistics.median(wall):.0f} ms; "
        f"CPU min {min(cpu):.0f} ms, median {statistics.median(cpu):.0f} ms ({len(times)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--catalog", default=shutil.which("catalog") or "catalog")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    catalog, url = options.catalog, options.url

    runs = range(options.runs)
    summary("python -c pass (the floor)", [timed([sys.executable, "-c", "pass"]) for _ in runs])
    summary("catalog check --help", [timed([catalog, "check", "--help"]) for _ in runs])
    one = [catalog, "check", "gpt-4o", "--cloud", "azure", "--url", url]
    summary("catalog check gpt-4o --cloud azure", [timed(one) for _ in runs])

    lines = "".join(" ".join(p for p in pair if p) + "\n" for pair in PAIRS)
    singles, batches = [], []
    for _ in range(options.rounds):  # interleaved: both see the same load
        wall = cpu = 0.0
        for model, cloud, region in PAIRS:
            extra = ["--region", region] if region else []
            took = timed([catalog, "check", model, "--cloud", cloud, *extra, "--url", url])
            wall, cpu = wall + took[0], cpu + took[1]
        singles.append((wall, cpu))
        batches.append(timed([catalog, "check", "--file", "-", "--url", url], stdin=lines))
    summary(f"{len(PAIRS)} single calls, in all", singles)
    summary(f"{len(PAIRS)} pairs as one --file call", batches)
    ratio = statistics.median(t[0] for t in singles) / statistics.median(t[0] for t in batches)
    print(f"ratio of wall times (medians): {ratio:.1f}x")


if __name__ == "__main__":
    main()
