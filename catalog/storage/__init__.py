"""The catalog in SQLite: schema, connections, queries, the one write path, fixtures in and out."""
