"""Load with a crash, over HTTP: gunicorn (2 workers, deploy/gunicorn.conf.py) + PostgreSQL on loopback, 32
clients — 22 kiosks redeeming, 5 phones reporting hazards, 5 supervisors awarding on the spot and approving —
while the credit timer runs; half-way one worker is killed with SIGKILL. Then every invariant is checked.

    python -m tests.bench.load_crash [--seconds 60]

tests/test_load.py runs the same scenario for a few seconds in CI. All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app import create_app
from app.extensions import db
from models import claims, people, places
from models.settings import set_setting
from tests.bench.__main__ import PG_DEFAULT
from tests.bench.http_load import Browser, Redeem, free_port, prepare, shipped_gunicorn
from tests.invariants import broken_invariants

REDEEMERS, REPORTERS, AWARDERS = 22, 5, 5


@dataclass
class LoadResult:
    done: dict
    statuses: dict
    victim: int
    log: str
    problems: list
    threads_left: bool


class Counted(Browser):
    """A kiosk or phone browser that tallies every answer's status (a 500 anywhere fails the test)."""

    statuses: Counter = Counter()
    lock = threading.Lock()

    def request(self, method, path, form=None, htmx=False):
        status, body = super().request(method, path, form, htmx)
        with Counted.lock:
            Counted.statuses[status] += 1
        return status, body


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


KEYS = {"LEDGER_KEY": "load-test-ledger-" + "k" * 32, "VOUCHER_KEY": "load-test-voucher-" + "v" * 32}


def run(url: str, seconds: float, workdir: Path) -> LoadResult:
    """The scenario; nothing asserted here (the test and the benchmark judge the result)."""
    SECONDS = seconds
    cards, codes, goods = prepare(url, REDEEMERS, employees=200, goods=60)
    setup = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", **KEYS})
    with setup.app_context():
        set_setting(db.session, "notice_days", 0)  # approved awards are credited by the next timer run
        place = places.save_place(db.session, None, name="冲压车间", risk="orange")
        token = place.token
        for n in range(AWARDERS):
            people.create_staff(
                db.session,
                username=f"boss{n}",
                name=f"班长{n}",
                password="password-123",
                roles=["supervisor", "safety_officer"],
            )
        db.session.commit()
        db.session.close()  # a connection still held would be dropped, not closed
        db.engine.dispose()

    port = free_port()
    # The server's instance folder is its own: the keys kept outside the database are given to it and to the
    # processes here alike, as every process of one installation shares them (deploy/README.md).
    server = shipped_gunicorn(url, port, log=subprocess.PIPE, instance_path=str(workdir), **KEYS)
    done = Counter()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        probe = Counted(port)
        try:
            if probe.request("GET", "/livez")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
        finally:
            probe.close()
    Counted.statuses.clear()
    stop_at = time.monotonic() + SECONDS

    def redeemer(n: int) -> None:
        kiosk = Redeem(codes, cards, goods)
        browser = Counted(port)
        kiosk.setup(browser, n)
        while time.monotonic() < stop_at:
            try:
                ok = kiosk.step(browser, n, n)
                done["redeemed" if ok else "redeem refused"] += 1
            except (OSError, http.client.HTTPException):
                done["dropped"] += 1
                browser.reconnect()
        browser.close()

    def reporter(n: int) -> None:
        phone = Counted(port)
        phone.request("GET", f"/r/{token}")
        while time.monotonic() < stop_at:
            try:
                status, _ = phone.request(
                    "POST", f"/r/{token}", {"category": "state", "description": f"负载测试 {n}", "anonymous": "1"}
                )
                done["reported"] += status == 201
            except (OSError, http.client.HTTPException):
                done["dropped"] += 1
                phone.reconnect()
        phone.close()

    def awarder(n: int) -> None:
        browser, i = Counted(port), 0
        signed_in = False
        while time.monotonic() < stop_at:
            i += 1
            try:
                if not signed_in:  # first, and again after a dropped connection
                    browser.request("GET", "/login")
                    browser.request("POST", "/login", {"username": f"boss{n}", "password": "password-123"})
                    signed_in = True
                card = cards[(n * 37 + i) % len(cards)]
                page = browser.request("GET", f"/c/{card}")[1]
                rule = re.search(r'name="rule_id" value="(\d+)"', page).group(1)  # the first: daily, 1-5 points
                status, _ = browser.request("POST", f"/c/{card}", {"rule_id": rule, "points": "2", "note": "现场奖励"})
                done["awarded"] += status == 201
                queue = browser.request("GET", "/admin/claims")[1]
                for claim_id in re.findall(r"/admin/claims/(\d+)/approve", queue)[:4]:
                    status, _ = browser.request("POST", f"/admin/claims/{claim_id}/approve", {"points": "2"}, htmx=True)
                    done["approved"] += status == 200
            except (OSError, http.client.HTTPException, AttributeError):
                done["dropped"] += 1
                browser.close()
                browser, signed_in = Counted(port), False
        browser.close()

    def credit_timer() -> None:
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", **KEYS})
        with app.app_context():
            while time.monotonic() < stop_at + 2:
                try:
                    done["credited"] += len(claims.credit_due(db.session, actor="system"))
                    db.session.commit()
                except Exception:  # a lock timeout under load, as the systemd timer would meet: next run
                    db.session.rollback()
                    done["credit runs failed"] += 1
                time.sleep(0.3)
            db.session.close()  # a connection still held would be dropped, not closed
            db.engine.dispose()

    threads = [threading.Thread(target=redeemer, args=(n,)) for n in range(REDEEMERS)]
    threads += [threading.Thread(target=reporter, args=(n,)) for n in range(REPORTERS)]
    threads += [threading.Thread(target=awarder, args=(n,)) for n in range(AWARDERS)]
    threads.append(threading.Thread(target=credit_timer))
    for thread in threads:
        thread.start()
    time.sleep(SECONDS / 2)
    victim = workers_of(server.pid)[0]
    os.kill(victim, signal.SIGKILL)  # mid-load, whatever it was doing
    for thread in threads:
        thread.join(SECONDS + 60)
    server.send_signal(signal.SIGTERM)
    _, log = server.communicate(timeout=30)

    checker = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", **KEYS})
    with checker.app_context():
        problems = broken_invariants(db.session)
        db.session.close()
        db.engine.dispose()
    alive = any(t.is_alive() for t in threads)
    return LoadResult(dict(done), dict(Counted.statuses), victim, log, problems, alive)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.load_crash")
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT
    with tempfile.TemporaryDirectory() as workdir:
        result = run(url, args.seconds, Path(workdir))
    rows = [
        ("32 clients, worker SIGKILLed half-way", f"{args.seconds:.0f} s", str(result.done)),
        ("answers by status", "", str(result.statuses)),
        ("broken invariants", str(len(result.problems)), "; ".join(result.problems) or "intact"),
    ]
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, width, strict=True)))


if __name__ == "__main__":
    main()
