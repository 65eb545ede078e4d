"""Alembic environment: runs migrations on the engine the application hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from aggregator.store.models import Base
from aggregator.store.tables import include_name

config = context.config


def run_migrations() -> None:
    # The application hands over its engine (aggregator/store/engine.py); the alembic
    # command line (revision --autogenerate) gives a URL in db/alembic.ini.
    given = config.attributes.get("engine")
    engine = given or create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        _migrate(engine)
    finally:
        if given is None:
            engine.dispose()


def _migrate(engine: Engine) -> None:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_name=include_name,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported")
run_migrations()
