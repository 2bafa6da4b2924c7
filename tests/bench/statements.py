"""SQL statements a kiosk visit costs, request by request, counted with SQLAlchemy's cursor events.

    python -m tests.bench.statements          # PostgreSQL (BENCH_DATABASE_URL / TEST_DATABASE_URL / local)
    python -m tests.bench.statements sqlite   # the embedded database

A visit is what the kiosk page sends for one redemption: the scan (the employee's screen), a goods into the
cart, the confirmation page and the confirm (which also queues the slip). The figure depends on the code,
not on the machine. Each statement is printed, so a reader sees which one a request needs and why.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections import defaultdict

from sqlalchemy import event

from app.extensions import db
from tests.bench.__main__ import PG_DEFAULT
from tests.bench.http_load import InProcess, Redeem, prepare

VISIT = ("POST /kiosk/scan", "POST /kiosk/cart", "GET /kiosk/confirm", "POST /kiosk/confirm")


def _shape(statement: str) -> str:
    """A statement in one short line: its verb and its tables."""
    text = " ".join(statement.split())
    verb = text.split(" ", 1)[0].upper()
    tables = sorted(set(re.findall(r"(?:FROM|JOIN|INTO|UPDATE)\s+\"?(\w+)", text, flags=re.I)))
    lock = " FOR UPDATE" if "FOR UPDATE" in text.upper() else ""
    return f"{verb} {', '.join(tables)}{lock}" if tables else text[:60]


def count_visit(url: str, rounds: int = 3) -> dict[str, list[str]]:
    """The statements of the last of ``rounds`` visits (the first ones warm the settings cache), by request."""
    _cards, codes, goods = prepare(url, 1, employees=50, goods=30)
    browser = InProcess(url)
    seen: dict[str, list[str]] = defaultdict(list)
    current = {"step": ""}
    redeem = Redeem(codes, _cards, goods)
    redeem.setup(browser, 0)
    with browser.app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen[current["step"]].append(_shape(statement))

    original = browser.request

    def request(method: str, path: str, form: dict | None = None, htmx: bool = False) -> tuple[int, str]:
        current["step"] = f"{method} {path}"
        return original(method, path, form, htmx)

    browser.request = request  # type: ignore[method-assign]
    for _ in range(rounds):
        seen.clear()
        assert redeem.step(browser, 0, 0)
    browser.close()
    return {step: seen[step] for step in VISIT}


def main() -> None:
    if sys.argv[1:] == ["sqlite"]:
        url = f"sqlite:///{tempfile.mkdtemp()}/statements.db"
    else:
        url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT
    visit = count_visit(url)
    total = 0
    for step, statements in visit.items():
        total += len(statements)
        print(f"{step:<20} {len(statements):>3}")
        for shape in statements:
            print(f"{'':<22}{shape}")
    print(f"{'a whole visit':<20} {total:>3}")


if __name__ == "__main__":
    main()
