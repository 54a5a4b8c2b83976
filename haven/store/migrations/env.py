from typing import Any

from alembic import context
from sqlalchemy import Connection, engine_from_config, event, pool

from haven.store.models import Base

config = context.config


def _sqlite_transactional_ddl(engine: Any) -> None:
    """pysqlite begins no transaction before DDL, so each CREATE committed on its own: slow
    (a sync to disk per statement) and, worse, a migration that failed half-way left half a
    schema behind. SQLAlchemy's recipe: let the driver do nothing, and say BEGIN ourselves."""

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


def run() -> None:
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    if engine.dialect.name == "sqlite":
        _sqlite_transactional_ddl(engine)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run()
