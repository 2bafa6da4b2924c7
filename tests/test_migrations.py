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


def test_0012_leaves_the_tally_and_the_ledger_agreeing(empty_app):
    """A plant upgraded at 0011 whose employee moved since: 0012 gives old entries today's department and sums
    the tally afresh from them, so that `mart ledger verify` and `mart ledger tally` agree with the ledger; it
    marks the seed's hazard-finding rules only where they earn points."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from app.extensions import db
    from app.migrate import upgrade
    from models import ledger

    with empty_app.app_context():
        upgrade(db.engine, "0011")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO department (id, name) VALUES (1, '甲'), (2, '乙')"))
            conn.execute(
                text(
                    "INSERT INTO employee (id, number, name, department_id, kind, active, balance, created_at) "
                    "VALUES (1, 'E1', '张三', 2, 'staff', true, 17, '2026-11-01 08:00:00')"
                )
            )
            for seq, amount, balance, day, dept in ((1, 10, 10, "2026-11-02", 1), (2, 7, 17, "2026-11-05", 2)):
                conn.execute(
                    text(
                        "INSERT INTO ledger_entry (id, seq, employee_id, year, kind, amount, balance_after, actor,"
                        " memo, created_at, prev_hash, hash)"
                        " VALUES (:s, :s, 1, 2026, 'award', :a, :b, 'test', '', :at, 'x', 'y')"
                    ),
                    {"s": seq, "a": amount, "b": balance, "at": f"{day} 02:00:00"},
                )
                conn.execute(  # 0011's live code tallied each entry under the department of the time
                    text(
                        "INSERT INTO ledger_tally (day, kind, department_id, entries, points)"
                        " VALUES (:d, 'award', :p, 1, :a)"
                    ),
                    {"d": day, "p": dept, "a": amount},
                )
            conn.execute(
                text(
                    "INSERT INTO rule (id, code, kind, category, name, description, min_points, max_points, updated_at)"
                    " VALUES (901, 'D03', 'deduct', 'violation', '自定义扣分', '', 1, 5, '2026-11-01 08:00:00')"
                )
            )
        upgrade(db.engine)
        with Session(db.engine) as session:
            assert session.execute(text("SELECT department_id FROM ledger_entry ORDER BY seq")).scalars().all() == [
                2,
                2,
            ]
            assert ledger.tally_total_misfit(session) is None and ledger.tally_misfits(session) == []
            marked = session.execute(text("SELECT code FROM rule WHERE reports_hazard ORDER BY code")).scalars().all()
            assert marked == []  # the seed's D03 is this plant's own deduction: never marked as finding a hazard
        db.engine.dispose()
