"""The points ledger in the back office: filter by person, department, kind and period; export to Excel.

The export streams: rows are read from the database in batches and written row by row into the zipped sheet
of a temporary file (app/xlsx.py), which is then sent in chunks, so a million rows need no more memory than a
hundred.
"""

from __future__ import annotations

import tempfile
from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import forms, xlsx
from app.extensions import db
from app.forms import row_id
from models import clock, ledger, people, settings
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l
from models.people import Role

from . import ACCOUNTS, bp, role_required

PAGE = 100
COLUMNS = (
    _l("No."),
    _l("Time"),
    _l("Employee number"),
    _l("Full name"),
    _l("Department"),
    _l("Kind"),
    _l("Points"),
    _l("Balance after"),
    _l("What for"),
    _l("By"),
)


@bp.get("/ledger")
@role_required(*ACCOUNTS)
def ledger_list() -> str:
    """100 entries a page, newest first. Pages are marked by the entry they start from (``before`` / ``after``
    a sequence number), not counted from the top: page 5,000 of a million entries is as quick as the first."""
    found = ledger.parse_filter(request.args)
    before, after = request.args.get("before", type=row_id), request.args.get("after", type=row_id)
    seq = ledger.LedgerEntry.seq
    base = found.query(big_department=ledger.is_big_department(db.session, found.department_id))
    if after is not None:
        rows = db.session.execute(base.where(seq > after).order_by(seq).limit(PAGE + 1)).all()
        more_newer, more_older = len(rows) > PAGE, True
        rows = rows[:PAGE][::-1]
    else:
        query = base.order_by(seq.desc()).limit(PAGE + 1)
        rows = db.session.execute(query.where(seq < before) if before is not None else query).all()
        more_newer, more_older = before is not None, len(rows) > PAGE
        rows = rows[:PAGE]
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("before", "after", "page")}
    departments = db.session.scalars(select(people.Department).order_by(people.Department.name)).all()
    return render_template(
        "admin/ledger.html",
        rows=rows,
        pages={
            "newer": url_for("admin.ledger_list", after=rows[0].seq, **args) if rows and more_newer else None,
            "older": url_for("admin.ledger_list", before=rows[-1].seq, **args) if rows and more_older else None,
        },
        filter=found,
        departments=departments,
        kinds=list(ledger.EntryKind),
    )


def write_workbook(found: ledger.LedgerFilter, out, limit: int | None = None) -> int:
    """Write the filtered entries (oldest first, at most ``limit``) into ``out`` as an Excel workbook; returns
    the row count. Rows stream from the database in batches straight into the zipped sheet (app/xlsx.py), so
    memory stays flat however many rows there are. Times are the plant's local time, as on screen."""
    book = xlsx.Workbook(out)
    sheet = book.sheet(_("Points ledger"), COLUMNS, "ndssssnnss", {1: 19, 8: 40})
    labels = {kind: kind.label for kind in ledger.EntryKind}  # translated once, not once a row
    query = found.query().order_by(ledger.LedgerEntry.seq).limit(limit).execution_options(yield_per=5000)
    sheet.write_rows(
        (
            row.seq,
            clock.local_or_none(row.created_at),
            row.number,
            row.name,
            row.department,
            labels[row.kind],
            row.amount,
            row.balance_after,
            row.memo,
            row.actor,
        )
        for row in db.session.execute(query)
    )
    book.close()
    return sheet.rows - 1  # the header is not an entry


@bp.get("/ledger.xlsx")
@role_required(*ACCOUNTS)
def ledger_export() -> Response:
    found = ledger.parse_filter(request.args)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it once the response is sent
    write_workbook(found, spool)
    spool.seek(0)
    return send_file(
        spool,
        mimetype=xlsx.MIMETYPE,
        as_attachment=True,
        download_name="points-ledger.xlsx",
    )


@bp.get("/year-end")
@role_required(Role.auditor, Role.finance)
def year_end() -> str:
    """The year's end from the back office: who would lose how much, then the close (as `mart points close-year`)."""
    today = clock.today()
    year = forms.year(request.args.get("year"), today.year - 1 if today.month < 12 else today.year, today.year)
    return render_template(
        "admin/year_end.html",
        preview=ledger.year_end_preview(db.session, year),
        over=year < today.year,
        years=range(today.year, today.year - 5, -1),
        warning=ledger.year_end_warning(db.session),
        modes=settings.CHOICE_LABELS,
    )


@bp.post("/year-end/<int:year>/close")
@role_required()
def year_end_close(year: int) -> Response:
    """Close a year once, after the list was checked; a second close (a double click, a replayed form) changes
    nothing and says so."""
    if request.form.get("checked") != "on":  # the box as the browser sends it, ticked
        raise InvalidInput(_l("Tick that you have checked the list first; nothing changed."))
    result = ledger.close_year(db.session, year, actor=current_user.actor)
    if result.already_closed:
        flash(_l("%(year)s was already closed; nothing changed.", year=year), "info")
    else:
        flash(
            _l(
                "%(year)s closed: %(points)s points of %(people)s people.",
                year=year,
                points=result.points,
                people=result.people,
            ),
            "info",
        )
    return redirect(url_for("admin.year_end", year=year), 303)
