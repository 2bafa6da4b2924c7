"""Fill a database with a large, valid ledger quickly (bulk inserts of a correctly chained history).

The rows are written with Core bulk inserts, not one operation at a time, but they are exactly what the
operations would have written: ``verify_ledger`` must pass over them, and the benchmark checks it does.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from sqlalchemy import Engine, bindparam, delete, insert, select

from app.dbtools import move_sequences
from models import clock
from models.ledger import GENESIS_HASH, EntryKind, LedgerEntry, LedgerHead, LedgerTally, entry_hash, stamp
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
    """``entries`` chained ledger entries for ``employees`` employees, one every 20 seconds from 1 January 2026,
    with the day tally (``ledger_tally``) that ``post_entry`` keeps beside them."""
    filler = LedgerFiller(engine, employees=employees, seed=seed, batch=batch)
    filler.fill(entries)


class LedgerFiller:
    """A ledger written in steps: ``fill(n)`` brings it up to ``n`` entries, continuing the chain, the balances
    and the tally where the last step left them (a benchmark measures at 1,000,000, then at 10,000,000)."""

    def __init__(self, engine: Engine, *, employees: int, seed: int = 42, batch: int = 20_000) -> None:
        self.engine, self.employees, self.batch = engine, employees, batch
        self.rng = random.Random(seed)
        self.balances = [0] * (employees + 1)
        self.prev, self.seq = GENESIS_HASH, 0
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

    def fill(self, entries: int) -> None:
        rng, balances = self.rng, self.balances
        tally: dict[tuple[dt.date, str], list[int]] = {}
        start = dt.datetime(2026, 1, 1, 1)
        rows: list[dict] = []
        for seq in range(self.seq + 1, entries + 1):
            emp = rng.randint(1, self.employees)
            if balances[emp] >= 10 and rng.random() < 0.35:
                amount, kind = -rng.randint(1, balances[emp]), EntryKind.redemption
            else:
                amount, kind = rng.randint(1, 20), EntryKind.award
            balances[emp] += amount
            at = start + dt.timedelta(seconds=seq * 20)
            year = clock.local_year(at)
            ref_type, ref_id, actor, memo = "claim", seq, "bench", "日常安全行为"
            digest = entry_hash(
                seq, emp, year, kind, amount, balances[emp], ref_type, ref_id, actor, memo, stamp(at), self.prev
            )
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
                    "prev_hash": self.prev,
                    "hash": digest,
                    "department_id": 1,
                }
            )
            day = tally.setdefault((clock.local_day(at), kind.value), [0, 0])
            day[0] += 1
            day[1] += amount
            self.prev = digest
            if len(rows) >= self.batch:
                with self.engine.begin() as conn:
                    conn.execute(insert(LedgerEntry), rows)
                rows = []
        self.seq = max(self.seq, entries)
        with self.engine.begin() as conn:
            if rows:
                conn.execute(insert(LedgerEntry), rows)
            self._store_tally(conn, tally)
            conn.execute(delete(LedgerHead))
            conn.execute(insert(LedgerHead), [{"id": 1, "seq": self.seq, "last_hash": self.prev}])
            conn.execute(
                Employee.__table__.update().where(Employee.id == bindparam("emp")).values(balance=bindparam("balance")),
                [{"emp": n, "balance": b} for n, b in enumerate(balances) if n and b],
            )
            if self.engine.dialect.name == "postgresql":
                move_sequences(conn)  # the rows came with their ids: what the app inserts next must not clash

    @staticmethod
    def _store_tally(conn, tally: dict[tuple[dt.date, str], list[int]]) -> None:
        """Add a step's day totals to those stored (a step starts on the day the last one ended: that day's
        rows are merged)."""
        if not tally:
            return
        first = min(day for day, _kind in tally)
        merged = {key: list(value) for key, value in tally.items()}
        for day, kind, entries, points in conn.execute(
            select(LedgerTally.day, LedgerTally.kind, LedgerTally.entries, LedgerTally.points).where(
                LedgerTally.day >= first
            )
        ):
            total = merged.setdefault((day, kind), [0, 0])
            total[0] += entries
            total[1] += points
        conn.execute(delete(LedgerTally).where(LedgerTally.day >= first))
        conn.execute(
            insert(LedgerTally),
            [
                {"day": day, "kind": kind, "department_id": 1, "entries": n, "points": points}
                for (day, kind), (n, points) in merged.items()
            ],
        )
