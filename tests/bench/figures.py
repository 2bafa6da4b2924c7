"""The statistics page and the dashboard as the ledger grows: 1,000,000 entries, then 10,000,000 (issue: keep
both under 200 ms at ten million, on SQLite and PostgreSQL, and flat from one million to ten).

    python -m tests.bench.figures [--entries 1000000 10000000] [--employees 50000] [sqlite] [postgresql]

The same ledger is filled once per database (valid chain, one entry every 20 seconds from 1 January 2026, with
the day tally ``post_entry`` keeps), measured at each size as it grows, through the app's own request handling
as a signed-in admin, beside a bare page in the same run. Printed as one table; the last column is the time at
this size over the time at the first size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from app.dbtools import refresh_statistics
from app.extensions import db
from models import people
from tests.bench.__main__ import PG_DEFAULT, fresh_app
from tests.bench.back_office import _timed_get
from tests.bench.fill import LedgerFiller

PAGES = (
    ("statistics (today: the month and the year to date, forms, charts)", "/admin/statistics"),
    ("statistics as of the end of a quarter", "/admin/statistics?period=2026-Q3"),
    ("statistics Excel (forms, twelve monthly rows)", "/admin/statistics.xlsx"),
    ("dashboard", "/admin/"),
)


def _median_ms(client, url: str, repeat: int = 15) -> float:
    _timed_get(client, url, 2)  # warm
    return statistics.median(_timed_get(client, url, repeat))


def bench(name: str, url: str, sizes: list[int], employees: int, rows: list) -> None:
    app = fresh_app(url)
    with app.app_context():
        filler = LedgerFiller(db.engine, employees=employees)
        people.create_staff(
            db.session, username="bench-admin", name="bench", password="bench-password", roles=["admin"]
        )
        db.session.commit()
    first: dict[str, float] = {}
    for size in sizes:
        with app.app_context():
            started = time.perf_counter()
            filler.fill(size)
            refresh_statistics(db.engine)
            rows.append((name, f"fill to {size:,} entries", f"{time.perf_counter() - started:.0f} s", ""))
        client = app.test_client()
        assert client.post("/login", data={"username": "bench-admin", "password": "bench-password"}).status_code == 303
        bare = _median_ms(client, "/livez", 100)
        rows.append((name, f"{size:,}: bare page, median", f"{bare:.1f} ms", ""))
        for label, page in PAGES:
            ms = _median_ms(client, page)
            first.setdefault(label, ms)
            rows.append((name, f"{size:,}: {label}, median", f"{ms:.1f} ms", f"{ms / first[label]:.2f}x"))
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.figures")
    parser.add_argument("--entries", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("databases", nargs="*", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    for name in args.databases:
        if name == "sqlite":
            url = f"sqlite:////tmp/mart-bench-figures-{os.getpid()}.db"
        else:
            url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT
        try:
            bench(name, url, sorted(args.entries), args.employees, rows)
        finally:
            if name == "sqlite" and os.path.exists(url[10:]):
                os.remove(url[10:])
    width = max(len(r[1]) for r in rows)
    print(f"{'database':<11}{'measure':<{width + 2}}{'value':>12}  vs first size")
    for name, label, value, ratio in rows:
        print(f"{name:<11}{label:<{width + 2}}{value:>12}  {ratio}")


if __name__ == "__main__":
    main()
