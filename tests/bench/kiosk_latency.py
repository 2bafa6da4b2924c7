"""The counter as an employee feels it, in Chromium through the real server on loopback with the demo plant:
from the scanner's Enter to the employee's screen painted, and from the confirm tap to the slip shown.

    python -m tests.bench.kiosk_latency [--tries 50]

Each try starts on the idle screen: the scanner types a card's code and Enter (as a scanner does, keys a few
milliseconds apart); the clock stops when the employee's name is on the screen and a frame has been painted
after it. Then one goods item goes into the cart and the confirm tap is timed to the slip painted. The demo
plant is built into a SQLite file under /tmp; the print worker is not running (the slip does not wait for the
printer). Prints p50 and p95 of each, in milliseconds, twice: as the page's own clock has it (from the key's or
the tap's event to the frame painted after the new screen: what the employee sees), and as Playwright has it
(which adds its own round trips to the browser). The page's clock needs the kiosk to put the next screen in
place (kiosk.js); a page loaded instead would lose the watcher and the bench stops with a timeout.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.demo import DEMO_KIOSK, build_demo
from app.extensions import db
from models import kiosks, people
from models.settings import set_setting
from tests.browser.conftest import CHROMIUM, FLAGS

PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# In the page: from the event that starts a step (the scanner's Enter, the confirm tap) to the second frame after
# the awaited element is in the document, by the page's own clock.
WATCH = """([selector, text, start]) => {
  window.stepTook = null;
  let began = null;
  document.addEventListener(start, (event) => { if (began === null) began = event.timeStamp; }, true);
  const seen = () => Array.from(document.querySelectorAll(selector)).some((e) => e.textContent.includes(text));
  const watcher = new MutationObserver(() => {
    if (began === null || !seen()) return;
    watcher.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => { window.stepTook = performance.now() - began; }));
  });
  watcher.observe(document.documentElement, { childList: true, subtree: true });
}"""
TOOK = "() => window.stepTook"


def _plant(folder: Path, cached: bool):
    config = {"DATABASE_URL": f"sqlite:///{folder / 'kiosk.db'}", "SECRET_KEY": "b" * 40, "UPLOAD_FOLDER": str(folder)}
    if cached:
        config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    app = create_app(config)
    with app.app_context():
        from app.migrate import upgrade

        upgrade(db.engine)
        with db.unit():
            build_demo(db.session)
            set_setting(db.session, "pin_threshold", 1_000_000)  # the slip, not the PIN keypad, is timed here
            set_setting(db.session, "kiosk_idle_seconds", 600)
        with db.unit():
            kiosk = db.session.scalar(select(kiosks.Kiosk).where(kiosks.Kiosk.name == DEMO_KIOSK))
            code = kiosks.new_pairing_code(db.session, kiosk)
            cards = db.session.execute(
                select(people.Card.code, people.Employee.name)
                .join(people.Employee)
                .where(people.Card.revoked_at.is_(None), people.Employee.active.is_(True))
                .where(people.Employee.balance > 200)
                .order_by(people.Employee.id)
            ).all()
    return app, code, cards


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tries", type=int, default=50)
    parser.add_argument(
        "--cached", action="store_true", help="let the browser keep the static files (as nginx in deploy/ does)"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        app, code, cards = _plant(Path(tmp), args.cached)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        scans, slips, in_page_scans, in_page_slips = [], [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            page = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN").new_page()
            page.goto(f"{base}/kiosk/pair")
            page.fill("input[name=code]", code)
            page.get_by_role("button", name="配对").click()
            page.wait_for_url("**/kiosk/")
            for n in range(args.tries):
                card, name = cards[n % len(cards)]
                page.goto(f"{base}/kiosk/")
                page.locator("input[data-scan]:focus").wait_for()
                page.keyboard.type(card, delay=2)
                page.evaluate(WATCH, ["main h1", name, "keydown"])
                started = time.perf_counter()
                page.keyboard.press("Enter")
                page.locator("main h1", has_text=name).wait_for()
                page.evaluate(PAINTED)
                scans.append((time.perf_counter() - started) * 1000)
                in_page_scans.append(page.wait_for_function(TOOK).json_value())
                page.locator("#goods .goods button:not([disabled])").first.click()
                page.locator("#cart a.button.primary").wait_for()
                page.locator("#cart a.button.primary").click()
                page.wait_for_url("**/kiosk/confirm")
                page.evaluate(WATCH, [".slip-preview", "", "click"])
                started = time.perf_counter()
                page.get_by_role("button", name="确认").click()
                page.locator(".slip-preview").wait_for()
                page.evaluate(PAINTED)
                slips.append((time.perf_counter() - started) * 1000)
                in_page_slips.append(page.wait_for_function(TOOK).json_value())
                page.get_by_role("button", name="完成").click()
            browser.close()
        server.shutdown()
    static = "kept by the browser" if args.cached else "revalidated on every page (the embedded server)"
    print(f"kiosk latency, {args.tries} tries each, Chromium at 1080x1920 on loopback, demo plant (SQLite)")
    print(f"static files {static}")
    print(f"{'step':<42} {'clock':<11} {'p50 ms':>8} {'p95 ms':>8}")
    for label, clock, samples in (
        ("scanner Enter -> employee screen painted", "page", in_page_scans),
        ("", "playwright", scans),
        ("confirm tap -> slip shown", "page", in_page_slips),
        ("", "playwright", slips),
    ):
        p50, p95 = _percentiles(samples)
        print(f"{label:<42} {clock:<11} {p50:>8.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
