"""The catalog's schema as sqlite-utils migrations: each runs once, in order, per database."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from . import webhook_tables

migrations = Migrations("catalog")


@migrations()
def m001_initial(db: Database) -> None:
    """The catalog's tables; every filter has an index that ends in id, the tie-breaker of sorts."""
    # One statement at a time: executescript() would commit the migration's transaction early.
    for statement in _split(
        """
        CREATE TABLE providers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            website TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE models (
            id TEXT PRIMARY KEY,
            provider TEXT NOT NULL REFERENCES providers(id),
            name TEXT NOT NULL,
            family TEXT,
            open_weights INTEGER NOT NULL CHECK (open_weights IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX models_provider ON models (provider, id);
        CREATE INDEX models_family ON models (family, id);
        CREATE INDEX models_open_weights ON models (open_weights, id);
        CREATE INDEX models_name ON models (name, id);
        CREATE TABLE clouds (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('hyperscaler', 'first-party', 'data-platform')),
            provider TEXT REFERENCES providers(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX clouds_kind ON clouds (kind, id);
        CREATE TABLE regions (
            cloud TEXT NOT NULL REFERENCES clouds(id),
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            geography TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (cloud, id)
        );
        CREATE INDEX regions_geography ON regions (cloud, geography, id);
        CREATE TABLE offerings (
            id TEXT PRIMARY KEY,
            model TEXT NOT NULL REFERENCES models(id),
            cloud TEXT NOT NULL REFERENCES clouds(id),
            deployment_type TEXT NOT NULL,
            cloud_model_id TEXT NOT NULL,
            cloud_model_version TEXT,
            stage TEXT NOT NULL,
            available_from TEXT NOT NULL,
            available_from_certainty TEXT NOT NULL,
            available_from_source TEXT NOT NULL,
            deprecated_from TEXT,
            deprecated_from_certainty TEXT,
            deprecated_from_source TEXT,
            retired_from TEXT,
            retired_from_certainty TEXT,
            retired_from_source TEXT,
            notes TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX offerings_model ON offerings (model, id);
        CREATE INDEX offerings_cloud ON offerings (cloud, id);
        CREATE INDEX offerings_model_cloud ON offerings (model, cloud, available_from);
        CREATE INDEX offerings_deployment_type ON offerings (deployment_type, id);
        CREATE INDEX offerings_stage ON offerings (stage, id);
        CREATE INDEX offerings_available_from ON offerings (available_from, id);
        CREATE TABLE offering_regions (
            offering TEXT NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
            cloud TEXT NOT NULL,
            region TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (offering, region),
            FOREIGN KEY (cloud, region) REFERENCES regions(cloud, id)
        );
        CREATE INDEX offering_regions_region ON offering_regions (region, offering);
        CREATE INDEX offering_regions_cloud_region ON offering_regions (cloud, region);
        CREATE TABLE exclusivity_windows (
            id TEXT PRIMARY KEY,
            holder TEXT NOT NULL REFERENCES clouds(id),
            model TEXT REFERENCES models(id),
            provider TEXT REFERENCES providers(id),
            includes_open_weights INTEGER NOT NULL CHECK (includes_open_weights IN (0, 1)),
            scope TEXT NOT NULL CHECK (scope IN ('hyperscalers', 'all-third-party')),
            basis TEXT NOT NULL,
            starts_at TEXT NOT NULL,
            starts_at_certainty TEXT NOT NULL,
            starts_at_source TEXT NOT NULL,
            ends_at TEXT,
            ends_at_certainty TEXT,
            ends_at_source TEXT,
            terms TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK ((model IS NULL) <> (provider IS NULL))
        );
        CREATE INDEX exclusivity_windows_model ON exclusivity_windows (model, id);
        CREATE INDEX exclusivity_windows_provider ON exclusivity_windows (provider, id);
        CREATE INDEX exclusivity_windows_holder ON exclusivity_windows (holder, id);
        CREATE INDEX exclusivity_windows_starts_at ON exclusivity_windows (starts_at, id);
        CREATE INDEX exclusivity_windows_ends_at ON exclusivity_windows (ends_at, id);
        """
    ):
        db.conn.execute(statement)


# The timeline's rows from offerings and windows; {price} is the price column m006 added.
_OFFERING_EVENT = """
    SELECT '{event}:' || o.id AS id, o.{field} AS at, '{event}' AS event,
           o.{field}_certainty AS certainty, o.{field}_source AS source,
           m.name || ' {verb} on ' || c.name || ' (' || o.deployment_type || ')' AS summary,
           o.id AS offering, NULL AS "window", {price}o.model AS model, m.provider AS provider,
           o.cloud AS cloud, NULL AS includes_open_weights, o.updated_at AS updated_at
    FROM offerings o JOIN models m ON m.id = o.model JOIN clouds c ON c.id = o.cloud
    WHERE o.{field} IS NOT NULL
"""
_WINDOW_EVENT = """
    SELECT '{event}:' || w.id, w.{field}, '{event}', w.{field}_certainty, w.{field}_source,
           c.name || ' exclusivity on ' || coalesce(m.name, p.name || ' models') || ' {verb}',
           NULL, w.id, {price}w.model, coalesce(w.provider, m.provider), w.holder,
           w.includes_open_weights, w.updated_at
    FROM exclusivity_windows w JOIN clouds c ON c.id = w.holder
    LEFT JOIN models m ON m.id = w.model LEFT JOIN providers p ON p.id = w.provider
    WHERE w.{field} IS NOT NULL
"""


def _dated_events(price: str) -> list[str]:
    """The SELECTs of the offerings' and windows' events (`price`: the price column, or "")."""
    return [
        *(_OFFERING_EVENT.format(event=f"offering-{verb}", field=field, verb=verb, price=price)
          for field, verb in (("available_from", "available"), ("deprecated_from", "deprecated"),
                              ("retired_from", "retired"))),
        *(_WINDOW_EVENT.format(event=f"window-{verb}", field=field, verb=verb, price=price)
          for field, verb in (("starts_at", "starts"), ("ends_at", "ends"))),
    ]  # fmt: skip


@migrations()
def m002_timeline(db: Database) -> None:
    """Every dated fact as one event row, for /v1/timeline and the calendars."""
    db.conn.execute("CREATE VIEW timeline_events AS " + " UNION ALL ".join(_dated_events("")))


@migrations()
def m003_history_and_tokens(db: Database) -> None:
    """The change feed (every accepted write, in order) and the API tokens (hashes only)."""
    for statement in _split(
        """
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
            resource TEXT NOT NULL,
            record_id TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        CREATE INDEX changes_record ON changes (resource, record_id, seq);
        CREATE INDEX changes_recorded_at ON changes (recorded_at, seq);
        CREATE TABLE tokens (
            name TEXT PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )
        """
    ):
        db.conn.execute(statement)


@migrations()
def m004_offering_origin(db: Database) -> None:
    """Who recorded an offering: curated by hand, or imported from a public registry."""
    db.conn.execute("ALTER TABLE offerings ADD COLUMN origin TEXT NOT NULL DEFAULT 'curated'")


@migrations(transactional=False)
def m005_cloud_kinds(db: Database) -> None:
    """Clouds may also be inference hosts and gateways: the kind CHECK is rebuilt (SQLite cannot
    alter a CHECK), with foreign keys off for the swap and verified before it commits."""
    conn = db.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA legacy_alter_table = ON")  # the timeline view names clouds
    try:
        conn.execute("BEGIN IMMEDIATE")
        for statement in _split(
            """
            CREATE TABLE clouds_new (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN
                    ('hyperscaler', 'first-party', 'data-platform', 'inference-host', 'gateway')),
                provider TEXT REFERENCES providers(id),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            INSERT INTO clouds_new
                SELECT id, name, kind, provider, created_at, updated_at FROM clouds;
            DROP TABLE clouds;
            ALTER TABLE clouds_new RENAME TO clouds;
            CREATE INDEX clouds_kind ON clouds (kind, id)
            """
        ):
            conn.execute(statement)
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise sqlite3.IntegrityError("m005_cloud_kinds would break a reference")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA legacy_alter_table = OFF")
        conn.execute("PRAGMA foreign_keys = ON")


@migrations()
def m006_offering_lookups(db: Database) -> None:
    """Indexes for the bill-line lookup (cloud_model_id) and the region-geography join."""
    db.conn.execute("CREATE INDEX offerings_cloud_model_id ON offerings (cloud_model_id, id)")
    db.conn.execute("CREATE INDEX offering_regions_offering ON offering_regions (offering, cloud)")


@migrations()
def m007_prices(db: Database) -> None:
    """Effective-dated prices (amounts as exact decimal text); the timeline gains price events."""
    for statement in _split(
        """
        CREATE TABLE prices (
            id TEXT PRIMARY KEY,
            offering TEXT NOT NULL REFERENCES offerings(id),
            region TEXT,
            unit TEXT NOT NULL,
            amount TEXT NOT NULL,
            currency TEXT NOT NULL,
            effective_from TEXT NOT NULL,
            effective_until TEXT,
            effective_from_certainty TEXT NOT NULL,
            source TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'curated',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (effective_until IS NULL OR effective_until > effective_from)
        );
        CREATE INDEX prices_series ON prices (offering, unit, currency, effective_from);
        CREATE INDEX prices_effective_from ON prices (effective_from, id);
        DROP VIEW timeline_events
        """
    ):
        db.conn.execute(statement)
    # A price's end has no certainty or source of its own (it is the next price's start, or a
    # date given without one), so only starts are events: each rate change is one.
    price_event = """
        SELECT 'price-effective:' || x.id, x.effective_from, 'price-effective',
               x.effective_from_certainty, x.source,
               m.name || ' on ' || c.name || ' (' || o.deployment_type
               || coalesce(', ' || x.region, '') || '): ' || x.amount || ' ' || x.currency
               || ' per ' || x.unit,
               o.id, NULL, x.id, o.model, m.provider, o.cloud, NULL, x.updated_at
        FROM prices x JOIN offerings o ON o.id = x.offering JOIN models m ON m.id = o.model
        JOIN clouds c ON c.id = o.cloud
    """
    parts = [*_dated_events("NULL AS price, "), price_event]
    db.conn.execute("CREATE VIEW timeline_events AS " + " UNION ALL ".join(parts))


@migrations()
def m008_provider_origin(db: Database) -> None:
    """Who recorded a maker: a maintainer, or an import that found it in a registry."""
    db.conn.execute("ALTER TABLE providers ADD COLUMN origin TEXT NOT NULL DEFAULT 'curated'")


@migrations()
def m009_replacement(db: Database) -> None:
    """The model a vendor recommends instead of an offering (its schedule names one)."""
    db.conn.execute("ALTER TABLE offerings ADD COLUMN replacement TEXT REFERENCES models(id)")


@migrations()
def m010_window_kind(db: Database) -> None:
    """Windows are exclusive (the default) or first-ship; the timeline's events say which."""
    kind = "kind TEXT NOT NULL DEFAULT 'exclusive' CHECK (kind IN ('exclusive', 'first-ship'))"
    db.conn.execute(f"ALTER TABLE exclusivity_windows ADD COLUMN {kind}")
    view = "SELECT sql FROM sqlite_master WHERE name = 'timeline_events'"
    (sql,) = db.conn.execute(view).fetchone()
    said = "CASE w.kind WHEN 'first-ship' THEN ' first-ship clause on ' ELSE ' exclusivity on ' END"
    db.conn.execute("DROP VIEW timeline_events")
    db.conn.execute(sql.replace("' exclusivity on '", said))


def _split(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def schema_version() -> str:
    """The name of the newest migration this code knows."""
    return migrations._migrations[-1].name


@migrations()
def m008_aliases(db: Database) -> None:
    """Models' aliases: one row each, keyed by the alias, so a lookup by alias is one probe."""
    for statement in _split(
        """
        CREATE TABLE model_aliases (
            alias TEXT PRIMARY KEY,
            model TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            position INTEGER NOT NULL
        );
        CREATE INDEX model_aliases_model ON model_aliases (model, position)
        """
    ):
        db.conn.execute(statement)


@migrations()
def m011_subscriptions(db: Database) -> None:
    """Webhook subscriptions, their outbox (filled by a trigger in the change's own transaction,
    so a crash loses nothing), the attempts log, the deliverer's lease, and each change's
    subject (model, provider, cloud) for the feeds and the subscriptions' filters."""
    for statement in _split(webhook_tables.SCHEMA):
        db.conn.execute(statement)
    db.conn.execute(webhook_tables.TRIGGER)


@migrations()
def m012_offering_geography(db: Database) -> None:
    """A data-zone route's geography (US, EU, APAC, JP, ...): where the cloud keeps the data it
    routes; null for every other deployment type (their regions say where)."""
    db.conn.execute("ALTER TABLE offerings ADD COLUMN geography TEXT")
    db.conn.execute("CREATE INDEX offerings_geography ON offerings (geography, id)")


@migrations()
def m013_offering_regions_order(db: Database) -> None:
    """An offering's regions in their order, region included: the `regions` of every offering
    read is then an index walk, not a sort in a temporary B-tree per row."""
    db.conn.execute(
        "CREATE INDEX offering_regions_order ON offering_regions (offering, position, region)"
    )
