"""The counter under load over HTTP: gunicorn with the shipped settings (2 workers) + PostgreSQL on loopback, 16
clients.

    python -m tests.bench.http_load [--seconds 30] [--clients 16]

Each client is a paired kiosk browser: it scans a card, adds goods to the cart, opens the confirmation and
confirms, as the kiosk page does. Printed: redemptions a second (and again for an employee who stays at the
kiosk and redeems without a new scan), the employee screen's throughput, a bare endpoint's throughput in the
same run (and the ratio), the server time each of a redemption's requests costs when sent alone in this
process, with what a kiosk also asks for and the clients leave out (the slip's picture, the shelf and the
notice list; the sum bounds the visits two workers on two cores can serve), and the invariants checked
afterwards.
All traffic goes to 127.0.0.1; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import text

from app.extensions import db
from models import kiosks, ledger, people, store
from models.settings import set_setting
from tests.bench.__main__ import PG_DEFAULT, fresh_app, put_claims_in_notice
from tests.invariants import broken_invariants

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
KEY = re.compile(r'name="request_key" value="([^"]+)"')
SLIP_PICTURE = re.compile(r'src="(/kiosk/slips/DH-[^"]+\.png)"')


class Browser:
    """A tiny cookie-keeping HTTP client on one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def reconnect(self) -> None:
        """A new connection after a dropped one (a worker died); the cookies (pairing, session) stay."""
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def close(self) -> None:
        self.conn.close()

    def request(self, method: str, path: str, form: dict | None = None, htmx: bool = False) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
            headers["X-CSRFToken"] = self.csrf
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        if match := TOKEN.search(data):
            self.csrf = match.group(1)
        return response.status, data


class InProcess:
    """The same requests as ``Browser``, sent through the app's test client in this process (no HTTP, no
    other load), each timed by what it asks for: the server time a step of the counter costs."""

    def __init__(self, url: str) -> None:
        from app import create_app

        self.app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False})
        self.client = self.app.test_client()
        self.times: dict[str, list[float]] = defaultdict(list)

    def request(self, method: str, path: str, form: dict | None = None, htmx: bool = False) -> tuple[int, str]:
        started = time.perf_counter()
        response = self.client.open(path, method=method, data=form, headers={"HX-Request": "true"} if htmx else {})
        step = "GET slip picture" if path.endswith(".png") else f"{method} {path}"  # each slip has its own path
        self.times[step].append((time.perf_counter() - started) * 1000)
        return response.status_code, response.text if response.mimetype.startswith("text/") else ""

    def close(self) -> None:
        with self.app.app_context():
            db.engine.dispose()


def server_time(url: str, code: str, cards: list[str], goods: list[int], rounds: int = 100) -> dict[str, float]:
    """Median milliseconds of each request of a redemption, one at a time in this process."""
    browser = InProcess(url)
    redeem = Redeem([code], cards, goods)
    redeem.setup(browser, 0)
    browser.times.clear()
    for _ in range(rounds):
        assert redeem.step(browser, 0, 0)
        # What a kiosk also asks for, which the HTTP clients below leave out: the slip page's picture of the
        # slip, and the shelf and the notice list the employee's screen fetches as it opens.
        assert browser.request("GET", redeem.slip_picture)[0] == 200
        assert browser.request("GET", "/kiosk/goods", htmx=True)[0] == 200
        assert browser.request("GET", "/kiosk/notice", htmx=True)[0] == 200
    browser.close()
    return {step: statistics.median(times) for step, times in browser.times.items()}


def prepare(url: str, clients: int, employees: int = 2000, goods: int = 300) -> tuple[list[str], list[str], list[int]]:
    app = fresh_app(url)
    with app.app_context():
        session = db.session
        set_setting(session, "pin_threshold", 1_000_000)
        set_setting(session, "yearly_cap", 1_000_000)
        dept = people.get_or_create_department(session, "bench")
        cards = []
        for n in range(employees):
            employee = people.create_employee(session, number=f"H{n:05d}", name=f"员工{n}", department=dept)
            ledger.adjust(session, employee.id, 100_000, actor="bench", memo="opening")
            cards.append(people.issue_card(session, employee, "qr", actor="bench").code)
        goods_ids = []
        for n in range(goods):
            item = store.save_goods(
                session,
                None,
                name=f"商品{n}",
                category=("daily", "protective", "special")[n % 3],
                value_fen=(5 + n % 100) * 100,
            )
            store.move_stock(session, item.id, 100_000, reason="restock", actor="bench")
            goods_ids.append(item.id)
        put_claims_in_notice(session, 25)
        codes = [kiosks.create_kiosk(session, f"load-{n}", printer_uri="dummy://")[1] for n in range(clients)]
        session.commit()
        db.session.close()  # a connection still held would be dropped, not closed
        db.engine.dispose()
    return cards, codes, goods_ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shipped_gunicorn(url: str, port: int, *, log=subprocess.DEVNULL, **settings: str) -> subprocess.Popen:
    """gunicorn as deploy/ runs it (deploy/gunicorn.conf.py, 2 workers, its request log) on 127.0.0.1:``port``
    over plain HTTP; ``settings`` are more MART_ variables (``threads="4"`` is MART_THREADS). The log goes to
    ``log``, where systemd's journal would take it."""
    env = {
        **os.environ,
        "MART_DATABASE_URL": url,
        "MART_SECRET_KEY": "load-test-" + "k" * 32,
        "MART_BIND": f"127.0.0.1:{port}",
        "MART_WORKERS": "2",
        "MART_SESSION_COOKIE_SECURE": "false",
        **{f"MART_{key.upper()}": value for key, value in settings.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )


def hammer(port: int, seconds: float, clients: int, work) -> tuple[int, int, float]:
    counts, errors = [0] * clients, [0] * clients
    deadline = time.perf_counter() + seconds

    def run(n: int) -> None:
        browser = Browser(port)
        state = work.setup(browser, n)
        while time.perf_counter() < deadline:
            try:
                ok = work.step(browser, state, n)
            except (OSError, http.client.HTTPException):
                browser.reconnect()
                ok = False
            counts[n] += ok
            errors[n] += not ok
        browser.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), sum(errors), time.perf_counter() - started


class Bare:
    @staticmethod
    def setup(browser: Browser, n: int) -> None:
        return None

    @staticmethod
    def step(browser: Browser, state: None, n: int) -> bool:
        return browser.request("GET", "/livez")[0] == 200


class Kiosk:
    def __init__(self, codes: list[str], cards: list[str], goods: list[int]) -> None:
        self.codes, self.cards, self.goods = codes, cards, goods

    def setup(self, browser: Browser, n: int) -> int:
        browser.request("GET", "/kiosk/pair")
        status, _ = browser.request("POST", "/kiosk/pair", {"code": self.codes[n]})
        assert status == 303, status
        browser.request("GET", "/kiosk/")
        return n

    def scan(self, browser: Browser, i: int) -> bool:
        """A scan: the answer is the employee's screen itself."""
        status, page = browser.request("POST", "/kiosk/scan", {"code": self.cards[i % len(self.cards)]})
        return status == 200 and 'data-page-url="/kiosk/me"' in page


class Screen(Kiosk):
    def step(self, browser: Browser, n: int, _n: int) -> bool:
        self.i = getattr(self, "i", 0) + 1
        return self.scan(browser, self.i * 17 + n)


class Redeem(Kiosk):
    """A redemption as the kiosk page makes it: scan a card, add goods to the cart, open the confirmation and
    confirm. ``scanned_in``: the same employee stays at the kiosk and redeems again, without a scan."""

    def __init__(self, codes: list[str], cards: list[str], goods: list[int], *, scanned_in: bool = False) -> None:
        super().__init__(codes, cards, goods)
        self.scanned_in = scanned_in

    def setup(self, browser: Browser, n: int) -> int:
        n = super().setup(browser, n)
        if self.scanned_in:
            assert self.scan(browser, n)
        return n

    def step(self, browser: Browser, n: int, _n: int) -> bool:
        self.i = getattr(self, "i", 0) + 1
        if not self.scanned_in and not self.scan(browser, self.i * 31 + n):
            return False
        goods_id = self.goods[(self.i * 7 + n) % len(self.goods)]
        if browser.request("POST", "/kiosk/cart", {"goods_id": goods_id, "delta": 1}, htmx=True)[0] != 200:
            return False
        status, page = browser.request("GET", "/kiosk/confirm")
        key = KEY.search(page)
        if status != 200 or key is None:
            return False
        status, page = browser.request("POST", "/kiosk/confirm", {"request_key": key.group(1)})
        picture = SLIP_PICTURE.search(page)  # the slip page, with a picture of the slip
        self.slip_picture = picture.group(1) if picture else ""
        return status == 200 and picture is not None


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.http_load")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=4, help="threads in each of the 2 gunicorn workers (shipped: 4)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT
    rows = run(url, seconds=args.seconds, clients=args.clients, threads=args.threads)
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, width, strict=True)))


def run(url: str, *, seconds: float, clients: int, threads: int) -> list[tuple[str, str, str, str]]:
    """The counter over HTTP; rows of (measure, value, note, ratio)."""
    args = argparse.Namespace(seconds=seconds, clients=clients, threads=threads)
    cards, codes, goods = prepare(url, args.clients * 3 + 1)  # a kiosk a client in each run, one for server_time
    steps = server_time(url, codes[-1], cards, goods)
    spent = sum(steps.values())
    port = free_port()
    server = shipped_gunicorn(url, port, threads=str(args.threads))
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        rows = []
        n, bad, took = hammer(port, min(args.seconds, 10), args.clients, Bare())
        bare_rate = n / took
        rows.append(("bare endpoint /livez", f"{bare_rate:,.0f} req/s", f"{bad} errors", "1.0x"))
        n, bad, took = hammer(port, min(args.seconds, 15), args.clients, Screen(codes[: args.clients], cards, goods))
        rows.append(
            (
                "scan -> employee screen (1 request)",
                f"{n / took:,.0f} screens/s",
                f"{bad} errors",
                f"{n / took / bare_rate:.2f}x of bare",
            )
        )
        redeem = Redeem(codes[args.clients : args.clients * 2], cards, goods)
        n, bad, took = hammer(port, args.seconds, args.clients, redeem)
        rows.append(
            (
                "redemptions (scan, cart, confirm page, confirm + slip: 4 requests)",
                f"{n / took:,.0f} redemptions/s",
                f"{bad} failed",
                "target >= 100/s",
            )
        )
        again = Redeem(codes[args.clients * 2 : args.clients * 3], cards, goods, scanned_in=True)
        n, bad, took = hammer(port, min(args.seconds, 15), args.clients, again)
        rows.append(
            (
                "the same without the scan (the employee redeems again: 3 requests)",
                f"{n / took:,.0f} redemptions/s",
                f"{bad} failed",
                "target >= 100/s",
            )
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    names = {"POST /kiosk/scan": "scan", "POST /kiosk/cart": "cart", "GET /kiosk/confirm": "confirmation page"}
    names |= {"POST /kiosk/confirm": "confirm + slip", "GET slip picture": "slip picture"}
    names |= {"GET /kiosk/goods": "shelf", "GET /kiosk/notice": "notice"}
    rows.append(
        (
            "server time of one visit (in-process, one request at a time, no HTTP; medians)",
            f"{spent:.1f} ms",
            " + ".join(f"{names.get(step, step)} {ms:.1f}" for step, ms in steps.items()),
            f"2 cores / {spent:.0f} ms = at most {2000 / spent:.0f}/s",
        )
    )
    from app import create_app

    checker = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x"})
    with checker.app_context():
        problems = broken_invariants(db.session)
        redemptions = db.session.execute(text("SELECT count(*) FROM redemption")).scalar()
        db.session.close()  # a connection still held would be dropped, not closed
        db.engine.dispose()
    rows.append(
        (
            "broken invariants (chain, balances, stock, one print job a redemption)",
            str(len(problems)),
            f"{redemptions} redemptions",
            "; ".join(problems) or "intact",
        )
    )
    return rows


if __name__ == "__main__":
    main()
