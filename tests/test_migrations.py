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


def test_claim_code_redemptions_migrate_a_plant_with_redemptions_already(empty_app):
    """0010 lets a redemption name nobody (SQLite copies the table): slips, lines and print jobs that point at
    the existing redemptions still do, and the foreign keys are checked again afterwards."""
    from sqlalchemy import text

    with empty_app.app_context():
        upgrade(db.engine, "0009")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO department (id, name) VALUES (1, '铸造车间')"))
            conn.execute(
                text(
                    "INSERT INTO employee (id, number, name, department_id, kind, active, balance, created_at) "
                    "VALUES (1, 'E1', '张三', 1, 'staff', true, 0, '2026-11-01 08:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO goods (id, name, category, value_fen, stock, low_stock, active, created_at) "
                    "VALUES (1, '洗衣液', 'daily', 2000, 5, 5, true, '2026-11-01 08:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO redemption (id, request_key, cart_digest, employee_id, kiosk, points, balance_after,"
                    " status, created_at) VALUES (7, 'k' , 'd', 1, 'kiosk', 40, 0, 'confirmed', '2026-11-02 09:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO redemption_line (redemption_id, goods_id, name, quantity, unit_points) "
                    "VALUES (7, 1, '洗衣液', 2, 20)"
                )
            )
        upgrade(db.engine)
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT employee_id FROM redemption WHERE id = 7")).scalar() == 1
            assert conn.execute(text("SELECT redemption_id FROM redemption_line")).scalar() == 7
            conn.execute(
                text(
                    "INSERT INTO redemption (request_key, cart_digest, employee_id, kiosk, points, balance_after,"
                    " status, created_at) VALUES ('b', 'd', NULL, 'kiosk', 20, 0, 'confirmed', '2026-12-02 09:00:00')"
                )
            )
            if conn.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1  # on again
        db.engine.dispose()
