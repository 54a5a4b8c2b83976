"""Storage: organisations, users, versioned cases, stored assessments and the audit log.

SQLite (WAL) by default, PostgreSQL via HAVEN_DATABASE_URL; the same Alembic migrations run on
both. The store depends on the core; the core never imports the store.
"""
