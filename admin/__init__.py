"""The back office at /admin/: one module per area, one blueprint, every route behind a role check."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import xlsx
from app.forms import row_id
from models.people import Role

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

F = TypeVar("F", bound=Callable[..., Any])

# Who may look, and who may change. Auditors (and the enterprise head) read everything, change nothing.
READERS = (Role.safety_officer, Role.storekeeper, Role.supervisor, Role.auditor)
# Who reads the money, the ledger and the figures for the authorities: finance too (it changes nothing).
ACCOUNTS = (*READERS, Role.finance)
MONEY = (Role.safety_officer, Role.auditor, Role.finance)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every back-office page needs a signed-in staff member; routes narrow it down by role."""


def role_required(*roles: Role, extra: Callable[[], tuple[Role, ...]] | None = None) -> Callable[[F], F]:
    """Only staff with one of ``roles`` (or admins) get through; others get a 403. ``extra``: the roles a
    setting adds, read at each request."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles, *(extra() if extra else ())):
                abort(403)
            return view(*args, **kwargs)

        wrapped.may_open = lambda: current_user.has_role(*roles, *(extra() if extra else ()))  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


@bp.app_template_global()
def may_open(endpoint: str) -> bool:
    """Whether the signed-in staff member gets through to ``endpoint`` (a page links only where it may)."""
    check = getattr(current_app.view_functions.get(endpoint), "may_open", None)
    return bool(check()) if check is not None else current_user.is_authenticated


def pager(endpoint: str) -> tuple[int, Callable[[bool], dict[str, str | None]]]:
    """The page asked for (``?page=``, from 1) and a function that, told whether more rows follow, gives the
    links to the newer and older pages with the same filter (for admin/_pager.html)."""
    page = max(1, request.args.get("page", 1, type=row_id) or 1)
    # The filter's own keys only: url_for takes "_method", "_scheme" ... as orders of its own.
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and not k.startswith("_")}

    def links(more: bool) -> dict[str, str | None]:
        return {
            "newer": url_for(endpoint, page=page - 1, **args) if page > 1 else None,
            "older": url_for(endpoint, page=page + 1, **args) if more else None,
        }

    return page, links


def pdf_response(data: bytes, name: str) -> Response:
    """A PDF to open in the browser's viewer (and print from there)."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def xlsx_response(data: bytes, name: str) -> Response:
    """An Excel workbook to download."""
    response = Response(data, mimetype=xlsx.MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The views register themselves on bp.
from . import (  # noqa: E402
    appraisal,
    audit,
    claims,
    counter,
    dashboard,
    events,
    goods,
    hazards,
    inspection,
    ledger,
    money,
    organisation,
    people,
    places,
    roster,
    rules,
    settings,
    staff,
    statistics,
)

__all__ = [
    "appraisal",
    "audit",
    "bp",
    "claims",
    "counter",
    "dashboard",
    "events",
    "goods",
    "hazards",
    "inspection",
    "ledger",
    "money",
    "organisation",
    "pager",
    "pdf_response",
    "people",
    "places",
    "role_required",
    "roster",
    "rules",
    "settings",
    "staff",
    "statistics",
    "xlsx_response",
]
