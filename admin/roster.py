"""Imports from Excel: the HR roster and the opening balances; upload a file, see a preview with each row's
errors, then apply it. Also the go-live award, which needs no file.

The checked rows wait in a file under the instance folder (instance/imports/), named by a random token, until
they are applied or a day has passed. Applying goes 500 rows a request: the page asks for the next chunk
until the end and shows a progress bar meanwhile (without htmx, one request applies everything). Each chunk
is compared with the database again just before it is written, so applying twice, or the same file twice,
changes nothing the second time.
"""

from __future__ import annotations

import fcntl
import json
import secrets
import time
from pathlib import Path

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from htmx_flask import request
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import uploaded_photos
from models import opening, people, roster, unit
from models.base import clean_text
from models.errors import InvalidInput, NotFound
from models.i18n import lazy_gettext as _l

from . import bp, role_required

CHUNK = 500
KEEP_SECONDS = 24 * 3600
SHOWN = 200  # rows of changes listed in the preview; the counts cover them all


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path:
    if not token.isalnum() or len(token) != 32:
        raise NotFound(_l("This import is not here (any more). Upload the file again."))
    path = _folder() / f"{token}.json"
    if not path.exists():
        raise NotFound(_l("This import is not here (any more). Upload the file again."))
    return path


def _load(path: Path, kind: str = "roster") -> dict:
    """The state of an import of ``kind`` (a roster's token on the opening balances' pages is no page)."""
    state = json.loads(path.read_text("utf-8"))
    if state.get("kind", "roster") != kind:
        raise NotFound(_l("This import is not here (any more). Upload the file again."))
    return state


def _save(path: Path, state: dict) -> None:
    spare = path.with_suffix(".tmp")
    spare.write_text(json.dumps(state, ensure_ascii=False), "utf-8")
    spare.replace(path)


def _clear_old() -> None:
    for old in _folder().glob("*.json"):
        if time.time() - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)


@bp.get("/people/import")
@role_required()
def roster_form() -> str:
    return render_template("admin/roster.html", state=None)


@bp.post("/people/import")
@role_required()
def roster_upload() -> Response:
    files = uploaded_photos("roster", limit=1)
    if not files:
        raise InvalidInput(_l("Choose the roster file (.xlsx)."))
    checked = roster.compare(db.session, roster.read_roster(files[0]))
    _clear_old()
    token = secrets.token_hex(16)
    name = next((f.filename for f in request.files.getlist("roster") if f.filename), "")
    state = {
        "file": clean_text(name, 100),
        "by": current_user.actor,
        "rows": checked.to_json(),
        "columns": checked.columns,
        "unused": checked.unused,
        "skipped": checked.skipped,
        "position": 0,
        "applied": 0,
    }
    _save(_folder() / f"{token}.json", state)
    return redirect(url_for("admin.roster_preview", token=token), 303)


def _preview(token: str, state: dict) -> dict:
    checked = roster.Roster.from_json(state["rows"])
    return {
        "token": token,
        "state": state,
        "errors": checked.errors,
        "changes": [r for r in checked.rows if r.action in ("new", "change", "leave")][:SHOWN],
        "counts": {a: checked.count(a) for a in ("new", "change", "leave", "same")},
        "unknown": sorted({r.department for r in checked.rows if r.unknown_department}),
        "total": len(checked.rows),
        "columns": [(header, roster.FIELD_NAMES[key]) for header, key in state.get("columns", [])],
        "unused": state.get("unused", []),
        "skipped": state.get("skipped", []),
    }


@bp.get("/people/import/<token>")
@role_required()
def roster_preview(token: str) -> str:
    return render_template("admin/roster.html", **_preview(token, _load(_path(token))))


@bp.post("/people/import/<token>/departments")
@role_required()
def roster_departments(token: str) -> Response:
    """Add the departments the file names but the list lacks, then check the file again."""
    path = _path(token)
    state = _load(path)
    for name in _preview(token, state)["unknown"]:
        people.get_or_create_department(db.session, name)
    state["rows"] = roster.compare(db.session, roster.Roster.from_json(state["rows"])).to_json()
    unit.after(db.session, lambda: _save(path, state))
    return redirect(url_for("admin.roster_preview", token=token), 303)


def _apply_chunk(path: Path, state: dict) -> None:
    """Apply the next chunk of rows (compared afresh) and move the position on (the file says so once the
    request has committed)."""
    start = state["position"]
    chunk = roster.compare(db.session, roster.Roster.from_json(state["rows"][start : start + CHUNK]))
    if chunk.errors:
        first = chunk.errors[0]
        raise InvalidInput(
            _l("Row %(line)s cannot be applied any more: %(error)s"), line=first.line, error=first.errors[0]
        )
    state["applied"] += roster.apply_rows(db.session, chunk.rows, actor=current_user.actor)
    state["position"] = start + len(chunk.rows)


@bp.post("/people/import/<token>/apply")
@role_required()
def roster_apply(token: str) -> Response | str:
    path = _path(token)
    lock = path.open("rb")
    # A second click waits, then finds the chunk done: the lock is held until this request has committed.
    unit.after(db.session, lock.close, only_if_committed=False)
    fcntl.flock(lock, fcntl.LOCK_EX)
    state = _load(path)
    if any(row["errors"] for row in state["rows"]):
        raise InvalidInput(_l("The file has errors: correct them in Excel and upload it again."))
    if request.htmx:
        if state["position"] < len(state["rows"]):
            _apply_chunk(path, state)
        unit.after(db.session, lambda: _save(path, state))
        return render_template("admin/_roster_progress.html", token=token, state=state)
    while state["position"] < len(state["rows"]):
        _apply_chunk(path, state)
    unit.after(db.session, lambda: _save(path, state))
    return redirect(url_for("admin.roster_preview", token=token), 303)


def _template(title: str, rows: list[list[object]], widths: tuple[int, ...], filename: str, lists: dict) -> Response:
    """An empty sheet with the columns an import reads and one example row; ``lists``: a column's letter -> the
    words a dropdown offers in it."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for column, words in lists.items():
        choice = DataValidation(type="list", formula1=f'"{",".join(words)}"', allow_blank=True)
        sheet.add_data_validation(choice)
        choice.add(f"{column}2:{column}5000")
    for column, width in zip("ABCDEFGH", widths, strict=False):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@bp.get("/people/import/template.xlsx")
@role_required()
def roster_template() -> Response:
    """An empty roster with the columns the import reads, one example row and the kinds it knows."""
    return _template(
        "花名册",
        [
            ["工号", "姓名", "部门", "班组", "人员类别", "状态"],
            ["JZ0001", "张三", "铸造车间", "一班", "正式员工", "在职"],
        ],
        (12, 10, 16, 10, 12, 8),
        "roster-template.xlsx",
        {"E": ("正式员工", "外包人员", "临时工"), "F": ("在职", "离职")},
    )


# --------------------------------------------------------------------------- opening balances and a go-live award


def _upload(field: str, what: object) -> tuple[bytes, str]:
    files = uploaded_photos(field, limit=1)
    if not files:
        raise InvalidInput(_l("Choose the file (.xlsx): %(what)s."), what=what)
    name = next((f.filename for f in request.files.getlist(field) if f.filename), "")
    return files[0], clean_text(name, 100)  # shown and audited: printable characters only


def _opening_page(**extra: object) -> str:
    brought, points = opening.totals(db.session)
    awarded, award_points = opening.totals(db.session, opening.GO_LIVE)
    return render_template(
        "admin/opening.html",
        brought=brought,
        brought_points=points,
        awarded=awarded,
        award_points=award_points,
        active=db.session.scalar(select(func.count()).where(people.Employee.active.is_(True))),
        **extra,
    )


@bp.get("/people/opening")
@role_required()
def opening_form() -> str:
    return _opening_page(state=None)


@bp.post("/people/opening")
@role_required()
def opening_upload() -> Response:
    data, name = _upload("sheet", _l("the opening balances"))
    checked = opening.compare(db.session, opening.read_sheet(data))
    _clear_old()
    token = secrets.token_hex(16)
    state = {
        "kind": "opening",
        "file": name,
        "by": current_user.actor,
        "rows": checked.to_json(),
        "columns": checked.columns,
        "unused": checked.unused,
        "skipped": checked.skipped,
        "applied": None,
    }
    _save(_folder() / f"{token}.json", state)
    return redirect(url_for("admin.opening_preview", token=token), 303)


@bp.get("/people/opening/<token>")
@role_required()
def opening_preview(token: str) -> str:
    state = _load(_path(token), "opening")
    sheet = opening.compare(db.session, opening.Sheet.from_json(state["rows"]))  # as the ledger is now
    return _opening_page(
        token=token,
        state=state,
        sheet=sheet,
        columns=[(header, opening.FIELD_NAMES[key]) for header, key in state.get("columns", [])],
        shown=[row for row in sheet.rows if row.action == "new"][:SHOWN],
    )


@bp.post("/people/opening/<token>/apply")
@role_required()
def opening_apply(token: str) -> Response:
    path = _path(token)
    lock = path.open("rb")
    unit.after(db.session, lock.close, only_if_committed=False)
    fcntl.flock(lock, fcntl.LOCK_EX)  # a second click waits, then finds every row brought over
    state = _load(path, "opening")
    added = opening.apply(
        db.session, opening.Sheet.from_json(state["rows"]), actor=current_user.actor, file=state["file"]
    )
    state["applied"] = added
    unit.after(db.session, lambda: _save(path, state))
    flash(_l("Brought over: %(points)s points.", points=added), "info")
    return redirect(url_for("admin.opening_preview", token=token), 303)


@bp.post("/people/go-live-award")
@role_required()
def go_live_award() -> Response | str:
    points = opening.check_award(request.form.get("points", type=int))
    note = request.form.get("note", "")[:200]
    if request.form.get("confirm") != "1":
        waiting = opening.without(db.session, opening.GO_LIVE)
        return _opening_page(state=None, asked={"points": points, "note": note, "employees": waiting})
    given, total = opening.go_live_award(db.session, points, note, actor=current_user.actor)
    flash(
        _l(
            "Go-live award: %(points)s points to each of %(n)s employees (%(total)s in all).",
            points=points,
            n=given,
            total=total,
        ),
        "info",
    )
    return redirect(url_for("admin.opening_form"), 303)


@bp.get("/people/opening/template.xlsx")
@role_required()
def opening_template() -> Response:
    return _template(
        "期初积分",
        [["工号", "姓名", "积分", "备注"], ["JZ0001", "张三", 120, "纸质台账结转"]],
        (12, 10, 10, 24),
        "opening-balances-template.xlsx",
        {},
    )
