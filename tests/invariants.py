"""The invariants of DESIGN.md, checked against a database after load, a crash or a fault.

Used by the load tests and the HTTP benchmark; each broken one comes back as a sentence.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models import Base, ledger, people, store


def broken_invariants(session: Session) -> list[str]:
    problems = []
    report = ledger.verify_ledger(session)  # the chain, every running balance, balance = sum of entries
    if not report.ok:
        problems.append(f"ledger: {report.problem}")

    def count(sql: str) -> int:
        return session.execute(text(sql)).scalar() or 0

    if n := count("SELECT count(*) FROM employee WHERE balance < 0"):
        problems.append(f"{n} negative balances")
    if n := count("SELECT count(*) FROM goods WHERE stock < 0"):
        problems.append(f"{n} goods with negative stock")
    if store.verify_stock(session):
        problems.append("stock differs from the sum of its movements")
    if n := count(
        "SELECT count(*) FROM redemption r WHERE "
        "(SELECT count(*) FROM print_job j WHERE j.redemption_id = r.id AND NOT j.reprint) <> 1"
    ):
        problems.append(f"{n} redemptions without exactly one print job")
    if n := count(
        "SELECT count(*) FROM redemption r WHERE NOT EXISTS (SELECT 1 FROM ledger_entry e "
        "WHERE e.ref_type = 'redemption' AND e.ref_id = r.id AND e.amount = -r.points)"
    ):
        problems.append(f"{n} redemptions without their ledger entry")
    if n := count(
        "SELECT count(*) FROM redemption r WHERE (SELECT count(*) FROM redemption_line l WHERE l.redemption_id = r.id)"
        " <> (SELECT count(*) FROM stock_movement m WHERE m.reason = 'redemption' AND m.ref_id = r.id)"
    ):
        problems.append(f"{n} redemptions whose stock movements do not match their lines")
    return problems


def fingerprint(session: Session) -> tuple:
    """What a refused request must leave as it was: every table's row count (the audit log's too, which grows
    with any change a staff member makes), the balances, the stock and the chain's head. The count of tries at
    a secret is left out: a wrong PIN or code is refused *and* counted (models/tries.py)."""
    tables = [t for t in Base.metadata.sorted_tables if t.name != "tries"]
    counts = tuple(session.scalar(select(func.count()).select_from(t)) for t in tables)
    balances = session.scalar(select(func.coalesce(func.sum(people.Employee.balance), 0)))
    stock = session.scalar(select(func.coalesce(func.sum(store.Goods.stock), 0)))
    head = session.scalar(select(ledger.LedgerHead.last_hash))
    return counts, balances, stock, head
