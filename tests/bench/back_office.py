"""The back office at scale: list pages over 5,000 employees and 1,000,000 ledger entries, the statistics and
dashboard (which aggregate the whole year), and a roster import of 5,000 rows (upload, check, apply).

Called by ``python -m tests.bench`` on the database it has just filled; served through the app's own request
handling (no network), as an admin signed in.
"""

from __future__ import annotations

import io
import statistics
import time

from openpyxl import Workbook

from app.extensions import db
from models import people

PAGES = (
    ("employees, first page", "/admin/people"),
    ("employees, page 60 (of 100)", "/admin/people?page=60"),
    ("employees, search by name", "/admin/people?q=员工4321"),
    ("ledger, first page", "/admin/ledger"),
    ("ledger, the page of entry 500,000 (of 1,000,000)", "/admin/ledger?before=500001"),
    ("ledger, one employee", "/admin/ledger?number=B000042"),
    ("ledger, one department and kind", "/admin/ledger?department=1&kind=award"),
    ("goods (300)", "/admin/goods"),
    ("audit log", "/admin/audit"),
    ("dashboard with the year's charts", "/admin/"),
    ("statistics of a month with charts", "/admin/statistics"),
)


def _timed_get(client, url: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def roster_workbook(rows: int, department: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["工号", "姓名", "部门", "班组", "人员类别"])
    for n in range(rows):
        sheet.append([f"R{n:05d}", f"新员工{n}", department, f"{n % 20 + 1}班", "正式员工"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bench_back_office(app, name: str, rows: list) -> None:
    with app.app_context():
        people.create_staff(
            db.session, username="bench-admin", name="bench", password="bench-password", roles=["admin"]
        )
        department = db.session.get(people.Department, 1).name
        db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"username": "bench-admin", "password": "bench-password"}).status_code == 303
    bare = _timed_get(client, "/livez", 200)
    bare_ms = statistics.median(bare)
    for label, url in PAGES:
        _timed_get(client, url, 2)  # warm
        ms = _timed_get(client, url, 20)
        median = statistics.median(ms)
        target = "" if "charts" in label else " (target < 100 ms)"
        rows.append(
            (name, f"back office: {label}, median{target}", f"{median:.1f} ms", f"{median / bare_ms:.0f}x bare")
        )

    data = roster_workbook(5000, department)
    started = time.perf_counter()
    upload = client.post(
        "/admin/people/import", data={"roster": (io.BytesIO(data), "roster.xlsx")}, content_type="multipart/form-data"
    )
    assert upload.status_code == 303, upload.text[:500]
    checked = time.perf_counter() - started
    applied = client.post(upload.headers["Location"] + "/apply")
    assert applied.status_code == 303, applied.status_code
    total = time.perf_counter() - started
    again = client.post(
        "/admin/people/import", data={"roster": (io.BytesIO(data), "roster.xlsx")}, content_type="multipart/form-data"
    )
    preview = client.get(again.headers["Location"])
    assert "新增 0 · 修改 0 · 离职 0 · 无变化 5000" in preview.text  # the same file again changes nothing
    rows.append(
        (
            name,
            "roster import, 5,000 rows: upload + check, then apply (target < 30 s)",
            f"{total:.1f} s",
            f"check {checked:.1f} s",
        )
    )
