"""Schema migrations with Alembic, driven from the app's own engine (no alembic.ini to keep in step)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "models" / "migrations"


def alembic_config(engine: Engine) -> tuple[Config, object]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    connection = engine.connect()
    config.attributes["connection"] = connection
    return config, connection


def upgrade(engine: Engine, revision: str = "head") -> None:
    config, connection = alembic_config(engine)
    with connection:  # type: ignore[attr-defined]
        sqlite = connection.dialect.name == "sqlite"  # type: ignore[attr-defined]
        if sqlite:
            # SQLite changes a column by copying its table; with foreign keys on, dropping the old copy would
            # fail (or cascade). Its own procedure: keys off outside the transaction, check them before commit.
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            command.upgrade(config, revision)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()  # type: ignore[attr-defined]
                if broken:
                    raise RuntimeError(f"the migration would leave rows pointing at nothing: {broken[:5]}")
            connection.commit()  # type: ignore[attr-defined]
        finally:
            if sqlite:
                connection.rollback()  # type: ignore[attr-defined]
                _driver(connection).execute("PRAGMA foreign_keys=ON")


def _driver(connection: object) -> Any:
    """The DB-API connection under a SQLAlchemy one (for what must run outside any transaction)."""
    return connection.connection.driver_connection  # type: ignore[attr-defined]


def revision(engine: Engine, message: str) -> None:
    """For developers: write a new migration from the difference between the models and the database."""
    config, connection = alembic_config(engine)
    with connection:  # type: ignore[attr-defined]
        command.revision(config, message=message, autogenerate=True)


def stamp(engine: Engine, revision: str = "head") -> None:
    """Mark a schema built straight from the models (the tests do this) as migrated to ``revision``."""
    config, connection = alembic_config(engine)
    with connection:  # type: ignore[attr-defined]
        command.stamp(config, revision)
        connection.commit()  # type: ignore[attr-defined]
