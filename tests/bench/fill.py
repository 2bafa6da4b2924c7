"""Fill a database with a large, valid ledger quickly (bulk inserts of a correctly chained history).

The rows are written with Core bulk inserts, not one operation at a time, but they are exactly what the
operations would have written: ``verify_ledger`` must pass over them, and the benchmark checks it does.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from sqlalchemy import Engine, insert

from app.dbtools import move_sequences
from models import clock
from models.ledger import GENESIS_HASH, EntryKind, LedgerEntry, LedgerHead, entry_hash, stamp
from models.people import Card, Department, Employee
from models.store import Goods


def fill_store(engine: Engine, *, employees: int, goods: int, seed: int = 7) -> list[str]:
    """``goods`` items on the shelf and a QR card for every employee; returns the card codes."""
    rng = random.Random(seed)
    categories = ["daily", "protective", "special"]
    with engine.begin() as conn:
        conn.execute(
            insert(Goods),
            [
                {
                    "id": n,
                    "name": f"商品{n}",
                    "category": categories[n % 3],
                    "value_fen": rng.randint(5, 500) * 100,
                    "stock": rng.randint(0, 50),
                    "low_stock": 5,
                    "active": True,
                }
                for n in range(1, goods + 1)
            ],
        )
        codes = [secrets.token_urlsafe(16) for _ in range(employees)]
        conn.execute(
            insert(Card),
            [
                {"employee_id": n, "kind": "qr", "code": codes[n - 1], "issued_by": "bench"}
                for n in range(1, employees + 1)
            ],
        )
        if engine.dialect.name == "postgresql":
            move_sequences(conn)
    return codes


def fill_ledger(engine: Engine, *, employees: int, entries: int, seed: int = 42, batch: int = 20_000) -> None:
    rng = random.Random(seed)
    with engine.begin() as conn:
        conn.execute(insert(Department), [{"id": 1, "name": "bench"}])
        conn.execute(
            insert(Employee),
            [
                {
                    "id": n,
                    "number": f"B{n:06d}",
                    "name": f"员工{n}",
                    "department_id": 1,
                    "kind": "staff",
                    "active": True,
                    "balance": 0,
                }
                for n in range(1, employees + 1)
            ],
        )
    balances = [0] * (employees + 1)
    prev = GENESIS_HASH
    start = dt.datetime(2026, 1, 1, 1)
    rows: list[dict] = []
    for seq in range(1, entries + 1):
        emp = rng.randint(1, employees)
        if balances[emp] >= 10 and rng.random() < 0.35:
            amount, kind = -rng.randint(1, balances[emp]), EntryKind.redemption
        else:
            amount, kind = rng.randint(1, 20), EntryKind.award
        balances[emp] += amount
        at = start + dt.timedelta(seconds=seq * 20)
        year = clock.local_year(at)
        ref_type, ref_id, actor, memo = "claim", seq, "bench", "日常安全行为"
        digest = entry_hash(seq, emp, year, kind, amount, balances[emp], ref_type, ref_id, actor, memo, stamp(at), prev)
        rows.append(
            {
                "seq": seq,
                "employee_id": emp,
                "year": year,
                "kind": kind,
                "amount": amount,
                "balance_after": balances[emp],
                "ref_type": ref_type,
                "ref_id": ref_id,
                "actor": actor,
                "memo": memo,
                "created_at": at,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
        if len(rows) >= batch:
            with engine.begin() as conn:
                conn.execute(insert(LedgerEntry), rows)
            rows = []
    with engine.begin() as conn:
        if rows:
            conn.execute(insert(LedgerEntry), rows)
        conn.execute(insert(LedgerHead), [{"id": 1, "seq": entries, "last_hash": prev}])
        for emp in range(1, employees + 1):
            if balances[emp]:
                conn.execute(Employee.__table__.update().where(Employee.id == emp).values(balance=balances[emp]))
        if engine.dialect.name == "postgresql":
            move_sequences(conn)  # the rows came with their ids: what the app inserts next must not clash
