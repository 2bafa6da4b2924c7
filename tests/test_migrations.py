"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from app import create_app
from app.extensions import db
from app.migrate import upgrade
from models import Base


@pytest.fixture
def empty_app(blank_database_url, tmp_path) -> Flask:
    """An app on a database without a table yet (not the suite's template copy)."""
    return create_app(
        {"TESTING": True, "DATABASE_URL": blank_database_url, "SECRET_KEY": "test", "UPLOAD_FOLDER": str(tmp_path)}
    )


def test_migrations_match_the_models(empty_app):
    with empty_app.app_context():
        upgrade(db.engine)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        db.engine.dispose()
    assert differences == []


def test_db_upgrade_command_migrates_and_seeds_the_rule_catalogue(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "17 rules added" in first.output
    again = runner.invoke(args=["db", "upgrade"])
    assert again.exit_code == 0 and "0 rules added" in again.output
    with empty_app.app_context():
        db.engine.dispose()
