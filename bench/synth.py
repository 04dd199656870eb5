"""A synthetic catalog of any size, in the catalog's own schema, for benchmarks.

Shape: about ten offerings per model (so "offerings of one model" is ~10 rows at every scale),
40 providers, 12 clouds with up to 25 regions each, a few exclusivity windows that hold on
models offered only by their holder, and a provider "bench-export" whose 100 models have exactly
1,000 offerings (the CSV export). Each offering has an input and an output price (the first
of each model two input prices, the earlier one closed), so a model's price comparison
weighs about 21 prices of 10 offerings. Every record also gets its change-feed entry, as a real
seeding would. Written with executemany in one transaction, indexes built afterwards.

    python bench/synth.py OUT.db 1000000
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import time
from pathlib import Path

from catalog import resources
from catalog.storage import db

NOW = "2026-11-30T00:00:00Z"
SOURCE = "https://example.org/bench"
HYPERSCALERS = ["aws", "azure", "gcp", "oci"]
DATA_PLATFORMS = ["snowflake", "databricks", "watsonx", "cloudflare"]
FIRST_PARTY = ["maker-api-0", "maker-api-1", "maker-api-2", "maker-api-3"]
DEPLOYMENT_TYPES = ["serverless", "provisioned", "managed-compute"]
EXPORT_MODELS = 100  # x 10 offerings = the 1,000-row CSV export


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [tuple(row[c] for c in columns) for row in rows],
    )


def _feed_sql(resource: str) -> str:
    """One INSERT ... SELECT that writes every record's change-feed entry, its `after` the record
    as the API shows it, built by SQLite's JSON functions (in C, not a Python loop)."""
    spec = resources.get(resource)
    members = []
    for name in spec.fields:
        if name in spec.computed:
            value = f"json({spec.computed[name]})"
        elif name in spec.booleans:
            value = f"json(CASE WHEN t.{name} THEN 'true' ELSE 'false' END)"
        else:
            value = f"t.{name}"
        members.append(f"'{name}', {value}")
    key = "t.cloud || '/' || t.id" if resource == "regions" else "t.id"
    return (
        "INSERT INTO changes (recorded_at, actor, action, resource, record_id, before, after) "
        f"SELECT '{NOW}', 'bench', 'create', '{resource}', {key}, NULL, "
        f"json_object({', '.join(members)}) FROM {resources.quote(spec.table)} AS t ORDER BY {key}"
    )


def _amount(rng: random.Random) -> str:
    """A made-up price per unit, as the decimal string the catalog keeps (no float)."""
    cents = rng.randrange(1, 3000)
    return f"{cents // 100}.{cents % 100:02d}"


def _prices(
    rng: random.Random, offering: str, start: str, changed: bool
) -> list[dict[str, object]]:
    """An offering's prices: input and output, open from its start; where `changed`, the input
    price changed a year on (the first one closed then)."""
    stamp = {"created_at": NOW, "updated_at": NOW}
    base = {"offering": offering, "region": None, "currency": "USD"}
    base |= {"effective_from_certainty": "exact", "source": SOURCE, "origin": "curated"}
    moved = f"{int(start[:4]) + 1}{start[4:]}"
    series = [
        ("input-1m-tokens", start, moved if changed else None),
        ("output-1m-tokens", start, None),
    ]
    if changed:
        series.append(("input-1m-tokens", moved, None))
    return [
        base
        | {
            "id": f"{offering}:{unit}:{begins[:10]}",
            "unit": unit,
            "amount": _amount(rng),
            "effective_from": begins,
            "effective_until": until,
        }
        | stamp
        for unit, begins, until in series
    ]


def build(path: Path, offerings: int, seed: int = 1) -> dict[str, float]:
    """Write a catalog of about `offerings` offerings to `path`; returns counts and seconds."""
    started = time.perf_counter()
    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    database = db.migrate(path)
    conn = database.conn
    # Bulk load: drop the secondary indexes, fill, then build them once (much faster).
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    stamp = {"created_at": NOW, "updated_at": NOW}
    providers = [
        {
            "id": "bench-export" if i == 0 else f"maker-{i:02d}",
            "name": f"Maker {i}",
            "website": f"https://maker{i}.example.org",
        }
        | stamp
        for i in range(40)
    ]
    clouds = (
        [
            {"id": c, "name": c.upper(), "kind": "hyperscaler", "provider": None} | stamp
            for c in HYPERSCALERS
        ]
        + [
            {"id": c, "name": c.title(), "kind": "data-platform", "provider": None} | stamp
            for c in DATA_PLATFORMS
        ]
        + [
            {
                "id": c,
                "name": f"First party {i}",
                "kind": "first-party",
                "provider": providers[i + 1]["id"],
            }
            | stamp
            for i, c in enumerate(FIRST_PARTY)
        ]
    )
    regions = [
        {
            "cloud": c,
            "id": f"{c}-region-{r:02d}",
            "name": f"{c} region {r}",
            "geography": ["US", "EU", "JP", "AU", "CA"][r % 5],
        }
        | stamp
        for c in HYPERSCALERS + DATA_PLATFORMS
        for r in range(25)
    ]
    model_count = max(offerings // 10, EXPORT_MODELS)
    models = [
        {
            "id": f"model-{m:07d}",
            "provider": "bench-export" if m < EXPORT_MODELS else providers[1 + m % 39]["id"],
            "name": f"Synthetic model {m}",
            "family": f"family-{m // 5:06d}",
            "open_weights": int(m % 3 == 0),
        }
        | stamp
        for m in range(model_count)
    ]
    offering_rows: list[dict[str, object]] = []
    prices: list[dict[str, object]] = []
    offering_regions: list[tuple[str, str, str, int]] = []
    clouds_for_offerings = HYPERSCALERS + DATA_PLATFORMS
    windows: list[dict[str, object]] = []
    for m, model in enumerate(models):
        exclusive = m % 10_000 == 7  # a few models: offered only by one holder, under a window
        for k in range(10):
            cloud = (
                "azure" if exclusive else clouds_for_offerings[(m + k) % len(clouds_for_offerings)]
            )
            kind = (
                DEPLOYMENT_TYPES[(k // len(clouds_for_offerings)) % 3]
                if not exclusive
                else DEPLOYMENT_TYPES[k % 3]
            )
            offering_id = f"{cloud}:{model['id']}:{kind}:{k}"
            year = 2023 + rng.randrange(4)
            start = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T00:00:00Z"
            retired = f"{year + 2}-01-01T00:00:00Z" if k == 9 else None
            offering_rows.append(
                {
                    "id": offering_id,
                    "model": model["id"],
                    "cloud": cloud,
                    "deployment_type": kind,
                    "cloud_model_id": f"{cloud}.{model['id']}-v{k}",
                    "cloud_model_version": None,
                    "stage": "ga",
                    "available_from": start,
                    "available_from_certainty": "exact",
                    "available_from_source": SOURCE,
                    "deprecated_from": None,
                    "deprecated_from_certainty": None,
                    "deprecated_from_source": None,
                    "retired_from": retired,
                    "retired_from_certainty": "exact" if retired else None,
                    "retired_from_source": SOURCE if retired else None,
                    "notes": None,
                }
                | stamp
            )
            prices.extend(_prices(rng, offering_id, start, k == 0))
            for position, r in enumerate(sorted({(m + k) % 25, (m * 7 + k) % 25})):
                offering_regions.append((offering_id, cloud, f"{cloud}-region-{r:02d}", position))
        if exclusive:
            windows.append(
                {
                    "id": f"window-{model['id']}",
                    "holder": "azure",
                    "model": model["id"],
                    "provider": None,
                    "includes_open_weights": 0,
                    "scope": "hyperscalers",
                    "basis": "announced",
                    "starts_at": "2023-01-01T00:00:00Z",
                    "starts_at_certainty": "exact",
                    "starts_at_source": SOURCE,
                    "ends_at": "2027-01-01T00:00:00Z",
                    "ends_at_certainty": "inferred",
                    "ends_at_source": SOURCE,
                    "terms": "synthetic",
                }
                | stamp
            )
    # In key order, so every B-tree grows at its end instead of splitting pages all over.
    offering_rows.sort(key=lambda row: str(row["id"]))
    prices.sort(key=lambda row: str(row["id"]))
    offering_regions.sort()
    generated = time.perf_counter()
    # A new file: nothing to protect until it is complete, so no journal and no fsync while
    # filling it, and a big page cache for the index builds; WAL again at the end.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for table, rows in [
        ("providers", providers),
        ("clouds", clouds),
        ("regions", regions),
        ("models", models),
        ("offerings", offering_rows),
        ("exclusivity_windows", windows),
        ("prices", prices),
    ]:
        _insert(conn, table, rows)
    conn.executemany(
        "INSERT INTO offering_regions (offering, cloud, region, position) VALUES (?, ?, ?, ?)",
        offering_regions,
    )
    for resource in (
        "providers",
        "clouds",
        "regions",
        "models",
        "offerings",
        "exclusivity-windows",
        "prices",
    ):
        conn.execute(_feed_sql(resource))
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    done = time.perf_counter()
    return {
        "offerings": len(offering_rows),
        "prices": len(prices),
        "models": len(models),
        "generate_s": generated - started,
        "write_s": done - generated,
        "total_s": done - started,
    }


if __name__ == "__main__":
    out, count = Path(sys.argv[1]), int(sys.argv[2])
    print(json.dumps(build(out, count)))
