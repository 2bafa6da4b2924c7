"""The `mart` command as an operator uses it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from app.demo import build_demo
from models import claims, hazards, ledger, store
from models.clock import utcnow


def test_ledger_verify_passes_then_names_a_tampered_entry(runner, session, make_employee):
    worker = make_employee(balance=50)
    ledger.spend(session, worker.id, 20, actor="kiosk:1", ref=("redemption", 1))
    session.commit()
    ok = runner.invoke(args=["ledger", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "Ledger intact: 2 entries" in ok.output

    session.execute(text("UPDATE ledger_entry SET amount = -2, balance_after = 48 WHERE seq = 2"))
    session.commit()
    broken = runner.invoke(args=["ledger", "verify"])
    assert broken.exit_code == 1
    assert "first bad entry: #2" in broken.output


def test_the_day_tally_is_checked_day_by_day_and_rebuilt(runner, session, make_employee):
    """The figures' day tally is checked against the ledger (by ``ledger verify`` year by year, by ``ledger tally``
    day by day) and summed afresh by ``ledger tally --rebuild``, each entry under the department it was written
    with, also after the employee moved."""
    worker = make_employee(balance=50, department="冲压车间")
    before = worker.department_id
    ledger.spend(session, worker.id, 20, actor="kiosk:1", ref=("redemption", 1))
    session.commit()
    assert runner.invoke(args=["ledger", "tally"]).exit_code == 0
    worker.department = make_employee(department="仓储部").department  # moved to another department since
    session.execute(text("UPDATE ledger_tally SET points = points + 1 WHERE kind = 'redemption'"))
    session.commit()
    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 1 and "day tally" in verify.output and "--rebuild" in verify.output
    check = runner.invoke(args=["ledger", "tally"])
    assert check.exit_code == 1 and "redemption" in check.output and "-19" in check.output
    assert runner.invoke(args=["ledger", "tally", "--rebuild"]).exit_code == 0
    assert (
        runner.invoke(args=["ledger", "tally"]).exit_code == 0
        and runner.invoke(args=["ledger", "verify"]).exit_code == 0
    )
    session.expire_all()
    kept = session.scalars(select(ledger.LedgerTally).where(ledger.LedgerTally.kind == "redemption")).one()
    assert (kept.department_id, kept.points) == (before, -20)  # under the department it was written with


def test_close_year_twice_changes_nothing_the_second_time(runner, session, make_employee):
    worker = make_employee()
    employee = ledger.lock_employee(session, worker.id)
    ledger.post_entry(session, employee, 80, ledger.EntryKind.award, actor="test", at=dt.datetime(2025, 5, 5, 4))
    session.commit()
    first = runner.invoke(args=["points", "close-year", "2025"])
    assert first.exit_code == 0, first.output
    assert "80 unspent points of 1 people expired" in first.output
    second = runner.invoke(args=["points", "close-year", "2025"])
    assert second.exit_code == 0 and "already closed" in second.output
    session.expire_all()
    assert ledger.history(session, worker.id, 5)[0].balance_after == 0
    assert len(ledger.history(session, worker.id, 5)) == 2


def test_close_year_rejects_what_is_not_a_year(runner):
    for bad in ("20x6", "26", "2026.5", "二〇二五"):
        result = runner.invoke(args=["points", "close-year", bad])
        assert result.exit_code != 0 and "not a year" in result.output


def test_credit_due_credits_claims_whose_notice_has_ended(runner, session, make_employee, make_claim):
    worker = make_employee()
    claim = make_claim(worker, "T02", 10, "考核通过")
    claims.approve(session, claim, 10, actor="staff:safety", now=utcnow() - dt.timedelta(days=20))  # any holiday
    session.commit()
    result = runner.invoke(args=["claims", "credit-due"])
    assert result.exit_code == 0, result.output
    assert f"claim {claim.id}: credited +10" in result.output
    assert "0 claims processed" in runner.invoke(args=["claims", "credit-due"]).output


def test_the_demo_plant_passes_ledger_verify(session, runner):
    summary = build_demo(session, employees=30)
    session.commit()
    assert "30 employees" in summary and "40 goods" in summary and "24 hazard reports" in summary
    states = {h.status for h in hazards.queue(session, "closed")} | {h.status for h in hazards.queue(session)}
    assert {"received", "closed"} <= states  # the loop shows at every step
    assert not store.verify_stock(session)
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["demo"])  # never into a database that has people
    assert refused.exit_code == 1 and "already has employees" in refused.output


def test_the_print_worker_stops_cleanly_on_sigterm(app, database_url, tmp_path):
    """systemd stops the worker with SIGTERM: it finishes what it is doing, says what it did, exits 0."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "MART_DATABASE_URL": database_url, "MART_SECRET_KEY": "x" * 32}
    env["MART_INSTANCE_PATH"] = str(tmp_path / "instance")
    worker = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "printer", "work"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stderr is not None
    ready = "-"
    while ready and "waiting for slips" not in ready:  # started and polling, however slow the machine is
        ready = worker.stderr.readline()
    assert ready and worker.poll() is None
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err
    assert "0 print jobs handled." in out


def test_upgrade_and_backup_leave_the_planner_statistics_fresh(runner, session, make_employee, tmp_path, app):
    """On SQLite nothing else runs ANALYZE: `mart db upgrade` and `mart backup` do (sqlite_stat1 appears)."""
    make_employee()
    if app.extensions["mart.db"][0].dialect.name != "sqlite":
        pytest.skip("PostgreSQL analyzes on its own (autovacuum)")

    def analyzed() -> bool:
        return bool(session.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar())

    assert not analyzed()
    assert runner.invoke(args=["backup", str(tmp_path / "b.db")]).exit_code == 0
    assert analyzed()


def test_stock_verify_finds_stock_changed_by_hand(runner, session, make_goods):
    from sqlalchemy import update

    from models import store

    soap = make_goods("肥皂", 2, stock=5)
    assert runner.invoke(args=["stock", "verify"]).exit_code == 0
    session.execute(update(store.Goods).where(store.Goods.id == soap.id).values(stock=50))  # behind the product
    session.commit()
    broken = runner.invoke(args=["stock", "verify"])
    assert broken.exit_code == 1 and "肥皂: stock 50, movements add up to 5" in broken.output


@pytest.fixture
def served(monkeypatch):
    """`mart run` up to serving: what it would listen on, instead of listening."""
    calls = []
    monkeypatch.setattr("app.cli.run_simple", lambda host, port, app, **kw: calls.append((host, port)))
    return calls


def test_run_starts_clean_and_says_how_to_create_the_first_account(runner, session, served):
    from models import people

    result = runner.invoke(args=["run", "--no-workers"])
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", 5000)]
    assert session.scalar(select(people.Employee.id)) is None and session.scalar(select(people.StaffUser.id)) is None
    assert "mart staff add USERNAME" in result.output and "--role admin" in result.output
    assert "--host 0.0.0.0" in result.output and "admin-demo-1" not in result.output


def test_run_loads_the_demo_only_when_asked_and_only_into_an_empty_database(runner, session, served):
    from models import people

    people.create_staff(session, username="chief", name="王主任", password="a-long-password-1", roles=["admin"])
    session.commit()
    result = runner.invoke(args=["run", "--demo", "--no-workers", "--host", "0.0.0.0", "--port", "5391"])
    assert result.exit_code == 0, result.output
    assert "no demo is loaded" in result.output and session.scalar(select(people.Employee.id)) is None
    assert "mart staff add" not in result.output  # an account exists
    assert served == [("0.0.0.0", 5391)]
    shown = result.output.split("Kiosk (counter):")[1].split()[0]
    assert shown.endswith(":5391/kiosk/") and "0.0.0.0" not in shown  # an address a phone can open


def test_a_demo_is_wiped_in_one_command_and_never_a_plant_s_own_data(runner, session, make_employee):
    from models import people
    from models.audit import AuditEntry
    from models.rules import Rule

    never = runner.invoke(args=["demo", "wipe", "--yes"])  # no demo was ever built here
    assert never.exit_code == 1 and "no demo plant" in never.output
    build_demo(session, employees=30)
    session.commit()
    real = make_employee(name="真员工", number="JZ0033")  # the plant's own first person, after the demo
    session.commit()
    refused = runner.invoke(args=["demo", "wipe", "--yes"])
    assert refused.exit_code == 1 and "1 employees" in refused.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(people.Employee)) == 31  # nothing was deleted
    session.delete(session.get(people.Employee, real.id))
    session.commit()
    wiped = runner.invoke(args=["demo", "wipe", "--yes"])
    assert wiped.exit_code == 0, wiped.output
    session.expire_all()
    for model in (people.Employee, people.StaffUser, ledger.LedgerEntry, store.Goods, store.Redemption):
        assert session.scalar(select(func.count()).select_from(model)) == 0
    assert session.scalar(select(func.count()).select_from(Rule)) > 0  # the catalogue is back, as on a clean start
    assert [e.action for e in session.scalars(select(AuditEntry))] == ["wipe"]
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
