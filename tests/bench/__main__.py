"""Benchmarks of the spine, printed as one table.

    python -m tests.bench [--entries 1000000] [--employees 5000] [--seconds 30] [--threads 16]

- read: one employee's balance and last 20 entries (what the kiosk shows after a scan), median and p95
  over random employees, beside a bare ``SELECT 1`` round trip measured in the same run;
- verify: ``verify_ledger`` over the whole chain, entries per second;
- concurrency (PostgreSQL): threads awarding and spending against the same 20 employees, throughput and
  a check of every invariant afterwards;
- hazards: a report with four 12-megapixel photos through the phone page, and a poster PDF for 200 places.

SQLite uses a file under /tmp; PostgreSQL uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local
server (its public schema is dropped and rebuilt).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

from app import create_app
from app.dbtools import refresh_statistics
from app.extensions import db
from models import Base, claims, kiosks, ledger, people, places, rules
from models.settings import set_setting
from printer import receipt
from tests.bench.back_office import bench_back_office
from tests.bench.fill import fill_ledger, fill_store
from tests.load import hammer

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def fresh_app(url: str):
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        Base.metadata.create_all(db.engine)
        rules.seed_rules(db.session)
        db.session.commit()
    return app


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_reads_and_verify(name: str, url: str, employees: int, entries: int, rows: list) -> None:
    app = fresh_app(url)
    with app.app_context():
        started = time.perf_counter()
        fill_ledger(db.engine, employees=employees, entries=entries)
        load_s = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            refresh_statistics(db.engine)  # what `mart db upgrade` and the nightly `mart backup` do
        rng = random.Random(7)
        ids = [rng.randint(1, employees) for _ in range(1000)]
        maker = app.extensions["mart.db"][1]

        def bare() -> None:
            with maker() as session:
                session.execute(text("SELECT 1")).scalar()

        def read() -> None:
            with maker() as session:
                employee_id = ids[rng.randrange(len(ids))]
                employee = session.get(people.Employee, employee_id)
                _ = employee.balance
                history = ledger.history(session, employee_id, 20)
                assert len(history) == 20

        timed(read, 50)  # warm caches
        bare_ms = timed(bare, 1000)
        read_ms = timed(read, 1000)
        rows.append((name, f"fill {entries:,} entries, {employees:,} employees", f"{load_s:.1f} s", ""))
        rows.append((name, "bare SELECT 1 in a session, median", f"{statistics.median(bare_ms):.3f} ms", "1.0x"))
        med = statistics.median(read_ms)
        p95 = statistics.quantiles(read_ms, n=20)[-1]
        ratio = med / statistics.median(bare_ms)
        rows.append((name, "balance + last 20 entries, median (target < 5 ms)", f"{med:.3f} ms", f"{ratio:.1f}x"))
        rows.append((name, "balance + last 20 entries, p95", f"{p95:.3f} ms", ""))

        with maker() as session:
            started = time.perf_counter()
            report = ledger.verify_ledger(session)
            seconds = time.perf_counter() - started
        assert report.ok, report.problem
        rows.append(
            (
                name,
                "ledger verify (target >= 100,000 entries/s)",
                f"{report.entries / seconds:,.0f} entries/s",
                f"{seconds:.1f} s",
            )
        )
        bench_export(name, entries, rows)
    bench_kiosk(app, name, employees, rows)  # outside the app context, as requests really come
    bench_back_office(app, name, rows)
    with app.app_context():
        db.engine.dispose()


def bench_export(name: str, entries: int, rows: list) -> None:
    """The ledger's Excel export (admin/ledger.py): all entries, timed; and the Python memory peak
    (tracemalloc) of 10,000 rows against ten times as many: bounded memory means the peaks stay alike."""
    import tracemalloc

    from admin.ledger import write_workbook

    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        count = write_workbook(ledger.LedgerFilter(), out)
        seconds = time.perf_counter() - started
        size = out.tell() / 1024 / 1024
    db.session.close()
    rows.append(
        (
            name,
            f"ledger export to Excel, {count:,} rows",
            f"{count / seconds:,.0f} rows/s",
            f"{seconds:.1f} s, {size:.0f} MB",
        )
    )
    peaks = []
    for limit in (10_000, 100_000):
        with tempfile.TemporaryFile() as out:
            tracemalloc.start()
            write_workbook(ledger.LedgerFilter(), out, limit=limit)
            peaks.append(tracemalloc.get_traced_memory()[1] / 1024 / 1024)
            tracemalloc.stop()
        db.session.close()
    rows.append(
        (name, "ledger export, Python memory peak: 100,000 rows vs 10,000", f"{peaks[1]:.1f} MB", f"{peaks[0]:.1f} MB")
    )


def bench_kiosk(app, name: str, employees: int, rows: list) -> None:
    """Scan a card at a paired kiosk and draw the employee screen (balance, cap, claims, 20 entries and the
    goods), server side, through the app's own request handling."""
    with app.app_context():
        codes = fill_store(db.engine, employees=employees, goods=300)
        put_claims_in_notice(db.session, 25)  # a plant's notice board is seldom empty
        _, pairing = kiosks.create_kiosk(db.session, "bench")
        db.session.commit()
    client = app.test_client()
    assert client.post("/kiosk/pair", data={"code": pairing}).status_code == 303
    rng = random.Random(3)

    def bare() -> None:
        assert client.get("/kiosk/pair").status_code == 200

    def scan() -> None:
        page = client.post("/kiosk/scan", data={"code": rng.choice(codes)})  # answers with the screen itself
        assert page.status_code == 200 and "data-page-url" in page.text

    def shelf() -> None:
        assert client.get("/kiosk/goods", headers={"HX-Request": "true"}).status_code == 200

    def notice() -> None:
        assert "/object" in client.get("/kiosk/notice", headers={"HX-Request": "true"}).text

    timed(scan, 20)
    bare_ms, scan_ms, shelf_ms = timed(bare, 300), timed(scan, 300), timed(shelf, 100)
    notice_ms = timed(notice, 100)
    ratio = statistics.median(scan_ms) / statistics.median(bare_ms)
    rows.append((name, "kiosk: bare page through the app, median", f"{statistics.median(bare_ms):.2f} ms", "1.0x"))
    rows.append(
        (
            name,
            "kiosk: scan -> employee screen, median (target < 15 ms)",
            f"{statistics.median(scan_ms):.2f} ms",
            f"{ratio:.1f}x",
        )
    )
    rows.append(
        (
            name,
            "kiosk: scan -> employee screen, p99 (target < 50 ms)",
            f"{statistics.quantiles(scan_ms, n=100)[-1]:.2f} ms",
            "",
        )
    )
    shelf_ratio = statistics.median(shelf_ms) / statistics.median(bare_ms)
    rows.append(
        (
            name,
            "kiosk: the shelf fragment that follows (300 goods), median",
            f"{statistics.median(shelf_ms):.2f} ms",
            f"{shelf_ratio:.1f}x",
        )
    )
    rows.append(
        (
            name,
            "kiosk: the public notice list that follows (20 claims), median",
            f"{statistics.median(notice_ms):.2f} ms",
            f"{statistics.median(notice_ms) / statistics.median(bare_ms):.1f}x",
        )
    )


def put_claims_in_notice(session, count: int) -> None:
    """``count`` claims approved into public notice, by the first employees, as a safety officer does."""
    rule = session.scalar(select(rules.Rule).where(rules.Rule.code == "E01"))
    for employee in session.scalars(select(people.Employee).order_by(people.Employee.id).limit(count)):
        claim = claims.submit_claim(
            session,
            employee=employee,
            rule=rule,
            points=rule.min_points,
            description="应急演练中带队疏散",
            source=claims.ClaimSource.employee,
            actor=f"employee:{employee.number}",
        )
        claims.approve(session, claim, rule.min_points, actor="bench")


def bench_receipt(rows: list) -> None:
    slip = receipt.Slip(
        "安全积分超市",
        "一号终端",
        dt.datetime(2026, 11, 23, 12, 5),
        "刘德华",
        "E01234",
        tuple(receipt.SlipLine(f"商品{n}（规格）", n, n * 40) for n in range(1, 6)),
        600,
        400,
        "DH-2026-000123",
    )
    for columns in (32, 48):
        ms = timed(lambda c=columns: receipt.escpos_bytes(slip, c), 200)
        rows.append(
            (
                "-",
                f"slip layout + ESC/POS bytes, {columns} columns, median (target < 20 ms)",
                f"{statistics.median(ms):.2f} ms",
                "",
            )
        )
    ms = timed(lambda: receipt.preview_png(slip, 32), 50)
    rows.append(("-", "slip PNG preview, 32 columns, median", f"{statistics.median(ms):.2f} ms", ""))


def bench_concurrency(name: str, url: str, threads: int, seconds: float, rows: list) -> None:
    app = fresh_app(url)
    with app.app_context():
        session = db.session
        set_setting(session, "yearly_cap", 1_000_000)
        dept = people.get_or_create_department(session, "bench")
        ids = []
        for n in range(20):
            employee = people.create_employee(session, number=f"B{n:03d}", name=f"bench {n}", department=dept)
            ledger.adjust(session, employee.id, 50, actor="bench", memo="opening")
            ids.append(employee.id)
        session.commit()
        session.close()
        stats = hammer(app, ids, threads=threads, seconds=seconds)
        with app.extensions["mart.db"][1]() as check:
            report = ledger.verify_ledger(check)
            negative = check.execute(text("SELECT count(*) FROM employee WHERE balance < 0")).scalar()
        broken = (0 if report.ok else 1) + negative + len(stats.errors)
        rows.append(
            (
                name,
                f"{threads} threads x {seconds:.0f} s on 20 employees: operations",
                f"{stats.operations / stats.seconds:,.0f} ops/s",
                f"{stats.awards} awards, {stats.spends} spends, {stats.refused} refused",
            )
        )
        rows.append(
            (
                name,
                "broken invariants after the run (chain, balance = sum, >= 0, errors)",
                str(broken),
                report.problem or (stats.errors[0] if stats.errors else "ledger verify: intact"),
            )
        )
        db.engine.dispose()


def camera_jpeg(seed: int) -> bytes:
    """A 12-megapixel phone photo: 4000 x 3000, noisy like a real scene (so it is megabytes, not kilobytes)."""
    import io

    from PIL import Image

    channels = [Image.effect_noise((4000, 3000), 40 + seed + n).point(lambda v, n=n: v // (n + 1)) for n in range(3)]
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=88)
    return out.getvalue()


def bench_hazards(name: str, url: str, rows: list) -> None:
    """A hazard report with four 12-MP photos through the phone page, and a 200-place poster batch."""
    import io

    app = fresh_app(url)
    with tempfile.TemporaryDirectory() as uploads:
        app.config["UPLOAD_FOLDER"] = uploads
        with app.app_context():
            set_setting(db.session, "photo_max_mb", 20)
            parent = places.save_place(db.session, None, name="一号厂区", risk="yellow")
            spots = [
                places.save_place(db.session, None, name=f"{n}号设备", risk="orange", parent_id=parent.id)
                for n in range(200)
            ]
            people.create_staff(db.session, username="bench", name="bench", password="bench-password", roles=["admin"])
            db.session.commit()
            token, ids = spots[0].token, [p.id for p in spots]
        photos = [camera_jpeg(n) for n in range(4)]
        client = app.test_client()

        def report() -> None:
            form = {"category": "state", "description": "防护罩缺失", "anonymous": "1"}
            form["photos"] = [(io.BytesIO(p), f"IMG_{n}.JPG") for n, p in enumerate(photos)]
            response = client.post(f"/r/{token}", data=form, content_type="multipart/form-data")
            assert response.status_code == 201, response.status_code

        ms = timed(report, 5)
        size = sum(len(p) for p in photos) / 1024 / 1024
        rows.append(
            (
                name,
                f"hazard report with 4 x 12-MP photos ({size:.0f} MB), median (target < 1.5 s)",
                f"{statistics.median(ms) / 1000:.2f} s",
                f"max {max(ms) / 1000:.2f} s",
            )
        )
        assert client.post("/login", data={"username": "bench", "password": "bench-password"}).status_code == 303
        query = "&".join(f"ids={i}" for i in ids)

        def posters() -> None:
            response = client.get(f"/admin/places/posters.pdf?paper=A4&{query}")
            assert response.status_code == 200 and response.data.startswith(b"%PDF")

        ms = timed(posters, 3)
        rows.append(
            (name, "poster PDF for 200 places, A4, median (target < 20 s)", f"{statistics.median(ms) / 1000:.2f} s", "")
        )
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=5_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--skip-http", action="store_true", help="leave out the counter over HTTP (gunicorn)")
    args = parser.parse_args()
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT

    rows: list[tuple[str, str, str, str]] = []
    bench_receipt(rows)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        bench_reads_and_verify("sqlite", sqlite_url, args.employees, args.entries, rows)
        bench_concurrency("sqlite", f"sqlite:///{Path(tmp) / 'load.db'}", args.threads, min(args.seconds, 10), rows)
        bench_hazards("sqlite", f"sqlite:///{Path(tmp) / 'hazards.db'}", rows)
    if not args.skip_postgresql:
        bench_reads_and_verify("postgresql", pg_url, args.employees, args.entries, rows)
        bench_concurrency("postgresql", pg_url, args.threads, args.seconds, rows)
        bench_hazards("postgresql", pg_url, rows)
        if not args.skip_http:
            from tests.bench.http_load import run

            for measure, value, note, ratio in run(pg_url, seconds=args.seconds, clients=16, threads=4):
                rows.append(("http (gunicorn 2w)", measure, value, f"{ratio}; {note}"))

    widths = [max(len(r[i]) for r in [*rows, ("database", "measure", "value", "ratio / note")]) for i in range(4)]
    header = ("database", "measure", "value", "ratio / note")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
