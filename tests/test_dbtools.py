"""Backups, restores and the move from SQLite to PostgreSQL: every row, the ledger chain intact."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.demo import build_demo
from app.extensions import db
from models import Base, ledger, people
from tests.conftest import PG_URL

pytestmark = pytest.mark.slow


@pytest.fixture
def fresh_database(database_url, tmp_path) -> str:
    """An empty database of the same kind as the test's, for a restore or a copy to land in."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    return _empty_postgresql("mart_restore_test")


def _empty_postgresql(name: str) -> str:
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _other(url: str, tmp_path: Path):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True, "UPLOAD_FOLDER": str(tmp_path)})


def _counts(app) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_a_backup_restores_into_an_empty_database_and_passes_ledger_verify(
    app, session, runner, fresh_database, tmp_path
):
    build_demo(session, employees=20)
    session.commit()
    path = tmp_path / "backups" / "mart-2026-11-23.backup"
    made = runner.invoke(args=["backup", str(path)])
    assert made.exit_code == 0, made.output
    assert path.stat().st_size > 10_000
    again = runner.invoke(args=["backup", str(path)])
    assert again.exit_code == 1 and "exists already" in again.output

    target = _other(fresh_database, tmp_path)
    restored = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert restored.exit_code == 0, restored.output
    mark = path.with_name(path.name + ".checkpoint").read_text().strip()  # written beside the backup
    assert mark.startswith("LC-") and mark in made.output
    verified = target.test_cli_runner().invoke(args=["ledger", "verify", "--checkpoint", mark])
    assert verified.exit_code == 0, verified.output
    assert "1 checkpoint" in verified.output
    assert _counts(target) == _counts(app) and _counts(target)["ledger_entry"] > 100
    twice = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert twice.exit_code == 1 and "not empty" in twice.output  # never over live data
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    empty = _other(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
    assert empty.test_cli_runner().invoke(args=["restore", str(not_a_backup)]).exit_code == 1
    with target.app_context():
        db.session.close()  # a connection still held would be dropped, not closed
        db.engine.dispose()


@pytest.mark.skipif(PG_URL is None, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_an_sqlite_installation_moves_to_postgresql_with_every_row(tmp_path):
    source = _other(f"sqlite:///{tmp_path / 'mart.db'}", tmp_path)
    with source.app_context():
        runner = source.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        build_demo(db.session, employees=25)
        db.session.commit()
    target_url = _empty_postgresql("mart_copy_test")
    copied = source.test_cli_runner().invoke(args=["db", "copy", "--to", target_url])
    assert copied.exit_code == 0, copied.output
    target = _other(target_url, tmp_path)
    assert _counts(target) == _counts(source)
    assert target.test_cli_runner().invoke(args=["ledger", "verify"]).exit_code == 0
    with target.app_context():  # the id sequences go on after the copied rows
        worker = people.create_employee(
            db.session, number="N00001", name="新员工", department=people.get_or_create_department(db.session, "新部门")
        )
        ledger.adjust(db.session, worker.id, 10, actor="test", memo="opening")
        db.session.commit()
        assert ledger.verify_ledger(db.session).ok
        db.session.close()  # a connection still held would be dropped, not closed
        db.engine.dispose()
    refused = source.test_cli_runner().invoke(args=["db", "copy", "--to", target_url])
    assert refused.exit_code == 1 and "not empty" in refused.output
