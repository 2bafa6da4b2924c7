"""Moving and keeping the data: copy an installation to another database, back it up, restore it.

- ``copy_database``: every row of every table from the running database into an empty one (SQLite to
  PostgreSQL when the embedded default is outgrown), table by table in foreign-key order, in batches; the
  target's schema is made by the migrations first, its id sequences moved past the copied ids after.
- ``backup``: SQLite's online backup API (a consistent copy while the product runs), or ``pg_dump`` in its
  custom format for PostgreSQL.
- ``restore``: the reverse, into an empty database only (a restore never mixes with live data).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, inspect, select, text

from models import Base

from .migrate import upgrade

BATCH = 5_000


class ToolError(Exception):
    """A copy, backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class Copied:
    tables: int
    rows: int


def _libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _has_data(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in names and table.name != "rule" and conn.scalar(select(func.count()).select_from(table)):
                return True
    return False


def copy_database(source: Engine, target_url: str) -> Copied:
    """Copy every row from ``source`` into the empty database at ``target_url``; counts must match after."""
    target = create_engine(target_url)
    try:
        if _has_data(target):
            where = target.url.render_as_string(hide_password=True)
            raise ToolError(f"{where} is not empty: copy into a new database.")
        upgrade(target)
        rows = 0
        with source.connect() as src, target.begin() as dst:
            for table in reversed(Base.metadata.sorted_tables):
                dst.execute(table.delete())  # only the migrations' own rows (the rule catalogue, if any)
            for table in Base.metadata.sorted_tables:
                order = list(table.primary_key.columns)
                result = src.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
                for batch in result.mappings().partitions(BATCH):
                    dst.execute(table.insert(), [dict(row) for row in batch])
                    rows += len(batch)
            if target.dialect.name == "postgresql":
                move_sequences(dst)
        with source.connect() as src, target.connect() as dst:
            for table in Base.metadata.sorted_tables:
                counted = [c.scalar(select(func.count()).select_from(table)) for c in (src, dst)]
                if counted[0] != counted[1]:
                    raise ToolError(f"{table.name}: {counted[0]} rows in the source, {counted[1]} copied.")
        return Copied(len(Base.metadata.sorted_tables), rows)
    finally:
        target.dispose()


def move_sequences(conn) -> None:
    """After rows were inserted with their ids, make each id sequence hand out the next free one."""
    for table in Base.metadata.sorted_tables:
        column = table.columns.get("id")
        if column is None or not column.autoincrement or not column.primary_key:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"
            )
        )


def refresh_statistics(engine: Engine) -> None:
    """Let the database's query planner see how the tables have grown (ANALYZE). PostgreSQL's autovacuum does
    this on its own; SQLite never does, and without it a filter on a big department could scan the whole
    ledger. Run by `mart db upgrade` and by every `mart backup` (the nightly timer)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def backup(engine: Engine, path: Path) -> Path:
    """A consistent copy of the database at ``path``, taken while the product runs."""
    path = Path(path)
    if path.exists():
        raise ToolError(f"{path} exists already: choose a new file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            with sqlite3.connect(path) as copy:
                raw.driver_connection.backup(copy)  # type: ignore[union-attr]
            copy.close()
        finally:
            raw.close()
        return path
    if engine.dialect.name == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", _libpq_url(engine)])
        return path
    raise ToolError(f"Backups of {engine.dialect.name} databases are not supported.")


def restore(engine: Engine, path: Path) -> None:
    """Put the backup at ``path`` into the (empty) database of ``engine``."""
    path = Path(path)
    if not path.is_file():
        raise ToolError(f"{path} is not a backup file.")
    if inspect(engine).get_table_names():
        raise ToolError("The database is not empty: restore into a new, empty database.")
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(path) as source:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise ToolError(f"{path} is not a sound SQLite database.")
            raw = engine.raw_connection()
            try:
                source.backup(raw.driver_connection)  # type: ignore[arg-type]
            finally:
                raw.close()
        source.close()
        return
    if engine.dialect.name == "postgresql":
        # --clean --if-exists: the dump may create the public schema that an empty database already has.
        command = ["pg_restore", "--no-owner", "--clean", "--if-exists", "--exit-on-error"]
        _run([*command, f"--dbname={_libpq_url(engine)}", str(path)])
        return
    raise ToolError(f"Restores into {engine.dialect.name} databases are not supported.")


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise ToolError(f"{command[0]} is not installed (apt-get install postgresql-client).")
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise ToolError(f"{command[0]} failed: {done.stderr.strip()[:500]}")
