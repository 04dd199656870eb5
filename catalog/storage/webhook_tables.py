"""The webhooks' tables as SQL: subscriptions, their outbox, the attempts log, the deliverer's
lease, the view naming each change's subject, and the trigger that queues a change for every
subscription it matches. migrations.m011_subscriptions creates them."""

SCHEMA = """
    CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL, model TEXT,
        cloud TEXT, provider TEXT, secret TEXT NOT NULL, actor TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE TABLE webhook_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subscription TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL REFERENCES changes(seq), event TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0,
        first_attempt_at REAL, done_at REAL
    );
    CREATE INDEX webhook_outbox_due ON webhook_outbox (state, subscription, id);
    CREATE TABLE webhook_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        outbox INTEGER NOT NULL REFERENCES webhook_outbox(id) ON DELETE CASCADE,
        subscription TEXT NOT NULL, attempt INTEGER NOT NULL, at TEXT NOT NULL,
        status INTEGER, error TEXT, duration_ms INTEGER NOT NULL
    );
    CREATE INDEX webhook_attempts_subscription ON webhook_attempts (subscription, id);
    CREATE TABLE webhook_lease (
        name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at REAL NOT NULL
    );
    CREATE VIEW change_subjects AS
    SELECT c.seq AS seq,
        CASE c.resource WHEN 'models' THEN c.record_id WHEN 'prices' THEN o.model
             ELSE json_extract(c.r, '$.model') END AS model,
        CASE c.resource WHEN 'clouds' THEN c.record_id WHEN 'prices' THEN o.cloud
             WHEN 'exclusivity-windows' THEN json_extract(c.r, '$.holder')
             WHEN 'providers' THEN NULL WHEN 'models' THEN NULL
             ELSE json_extract(c.r, '$.cloud') END AS cloud,
        CASE c.resource WHEN 'providers' THEN c.record_id
             WHEN 'models' THEN json_extract(c.r, '$.provider')
             ELSE coalesce(json_extract(c.r, '$.provider'), m.provider) END AS provider
    FROM (SELECT seq, resource, record_id, coalesce(after, before) AS r FROM changes) AS c
    LEFT JOIN offerings AS o
        ON c.resource = 'prices' AND o.id = json_extract(c.r, '$.offering')
    LEFT JOIN models AS m
        ON m.id = CASE c.resource WHEN 'prices' THEN o.model ELSE json_extract(c.r, '$.model') END
"""
# Each change a subscription matches (its events, then its model / cloud / provider) is queued
# for it by the same INSERT that records the change: nothing can commit one without the other.
TRIGGER = """
    CREATE TRIGGER changes_to_outbox AFTER INSERT ON changes BEGIN
        INSERT INTO webhook_outbox (subscription, seq, event)
        SELECT s.id, NEW.seq, NEW.resource || '.' || NEW.action
        FROM subscriptions AS s, (SELECT * FROM change_subjects WHERE seq = NEW.seq) AS x
        WHERE EXISTS (SELECT 1 FROM json_each(s.events) AS e WHERE e.value IN
                      ('*', NEW.resource || '.*', NEW.resource || '.' || NEW.action))
          AND (s.model IS NULL OR s.model = x.model OR (NEW.resource = 'exclusivity-windows'
               AND x.model IS NULL AND x.provider = (SELECT provider FROM models WHERE id = s.model)
               AND (json_extract(coalesce(NEW.after, NEW.before), '$.includes_open_weights') = 1
                    OR (SELECT open_weights FROM models WHERE id = s.model) = 0)))
          AND (s.cloud IS NULL OR s.cloud = x.cloud)
          AND (s.provider IS NULL OR s.provider = x.provider)
        ORDER BY s.id;
    END
"""
