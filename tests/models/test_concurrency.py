"""Concurrent writers cannot break the ledger's invariants (a shorter run of tests/bench's benchmark)."""

from __future__ import annotations

from sqlalchemy import func, select

from models import ledger
from models.ledger import LedgerEntry
from models.people import Employee
from models.settings import set_setting
from tests.load import hammer


def test_concurrent_awards_and_spends_keep_every_invariant(app, session, make_employee):
    set_setting(session, "yearly_cap", 1_000_000)
    session.commit()
    ids = [make_employee(f"工人{i}", balance=20).id for i in range(20)]
    session.close()

    stats = hammer(app, ids, threads=8, seconds=3)

    assert stats.errors == []
    assert stats.awards > 20 and stats.spends > 20, stats  # both really ran, concurrently
    report = ledger.verify_ledger(session)
    assert report.ok, report.problem
    assert report.entries == 20 + stats.awards + stats.spends
    sums = dict(
        session.execute(
            select(LedgerEntry.employee_id, func.sum(LedgerEntry.amount)).group_by(LedgerEntry.employee_id)
        ).all()
    )
    for employee in session.scalars(select(Employee)):
        assert employee.balance == sums[employee.id] >= 0
