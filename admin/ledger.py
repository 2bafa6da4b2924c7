"""The points ledger in the back office: filter by person, department, kind and period; export to Excel.

The export streams: rows are read from the database in batches and written by XlsxWriter in constant-memory
mode into a temporary file, which is then sent in chunks, so a million rows need no more memory than a
hundred.
"""

from __future__ import annotations

import tempfile

import xlsxwriter
from flask import render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from models import ledger, people

from . import READERS, bp, pager, role_required

PAGE = 100
COLUMNS = (
    _l("No."),
    _l("Time"),
    _l("Employee number"),
    _l("Name"),
    _l("Department"),
    _l("Kind"),
    _l("Points"),
    _l("Balance after"),
    _l("What for"),
    _l("By"),
)


@bp.get("/ledger")
@role_required(*READERS)
def ledger_list() -> str:
    found = ledger.parse_filter(request.args)
    page, links = pager("admin.ledger_list")
    query = found.query().order_by(ledger.LedgerEntry.seq.desc()).limit(PAGE + 1).offset((page - 1) * PAGE)
    rows = db.session.execute(query).all()
    departments = db.session.scalars(select(people.Department).order_by(people.Department.name)).all()
    return render_template(
        "admin/ledger.html",
        rows=rows[:PAGE],
        pages=links(len(rows) > PAGE),
        filter=found,
        departments=departments,
        kinds=list(ledger.EntryKind),
    )


def write_workbook(found: ledger.LedgerFilter, out, limit: int | None = None) -> int:
    """Write the filtered entries (oldest first, at most ``limit``) into ``out`` as an Excel workbook; returns
    the row count. XlsxWriter's constant-memory mode writes each row out as it comes (strings inline, no
    shared table growing with the rows), so memory stays flat however many rows there are."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = book.add_worksheet(_("Points ledger"))
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, [str(c) for c in COLUMNS])
    sheet.set_column(1, 1, 19)
    labels = {kind: kind.label for kind in ledger.EntryKind}  # translated once, not once a row
    count = 0
    query = found.query().order_by(ledger.LedgerEntry.seq).limit(limit).execution_options(yield_per=5000)
    for row in db.session.execute(query):
        count += 1
        sheet.write_number(count, 0, row.seq)
        sheet.write_datetime(count, 1, row.created_at, stamp)
        sheet.write_row(count, 2, (row.number, row.name, row.department, labels[row.kind]))
        sheet.write_number(count, 6, row.amount)
        sheet.write_number(count, 7, row.balance_after)
        sheet.write_row(count, 8, (row.memo, row.actor))
    book.close()
    return count


@bp.get("/ledger.xlsx")
@role_required(*READERS)
def ledger_export() -> Response:
    found = ledger.parse_filter(request.args)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it once the response is sent
    write_workbook(found, spool)
    spool.seek(0)
    return send_file(
        spool,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="points-ledger.xlsx",
    )
