"""Storage: organisations, users, versioned cases, stored assessments and the audit log.

SQLite (WAL) by default, PostgreSQL via HAVEN_DATABASE_URL; the same Alembic migrations run on
both. The store depends on the core; the core never imports the store.
"""

__all__: list[
    str
] = []  # a door: used through its entry points (haven.server, the CLI), not imported
