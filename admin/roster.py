"""The HR roster import: upload an Excel file, see a preview with each row's errors, then apply it.

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

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user
from htmx_flask import request
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import uploaded_photos
from models import people, roster, unit
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


def _load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


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
        "file": name[:100],
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


@bp.get("/people/import/template.xlsx")
@role_required()
def roster_template() -> Response:
    """An empty roster with the columns the import reads, one example row and the kinds it knows."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append(["工号", "姓名", "部门", "班组", "人员类别", "状态"])
    sheet.append(["JZ0001", "张三", "铸造车间", "一班", "正式员工", "在职"])
    kinds = DataValidation(type="list", formula1='"正式员工,外包人员,临时工"', allow_blank=True)
    status = DataValidation(type="list", formula1='"在职,离职"', allow_blank=True)
    sheet.add_data_validation(kinds)
    sheet.add_data_validation(status)
    kinds.add("E2:E5000")
    status.add("F2:F5000")
    for column, width in zip("ABCDEF", (12, 10, 16, 10, 12, 8), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=roster-template.xlsx"},
    )
