"""The kiosk's visit: its blueprint, the paired-browser check, the employee's session and their cart.

Every kiosk page needs a paired browser (a long random token in a cookie, only its hash stored). The kiosk
is not a signed-in person: the employee identified by the last scan is kept in the browser session until
the idle time (a setting) passes, "done" is pressed, or another card is scanned; their cart lives there too.
The kiosk's check and the employee of the session are loaded by one statement at the start of a request.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, redirect, session, url_for
from htmx_flask import make_response as htmx_response
from htmx_flask import request
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from app.extensions import db
from models import hazards, kiosks, people, store, tries
from models.clock import utcnow
from models.errors import CardRevoked, TooManyTries, UnknownCard
from models.i18n import lazy_gettext as _l
from models.settings import get_setting
from models.unit import keep_so_far

CART_CHANGED = "cart-changed"  # the event a cart change sends the page (the shelf listens to it)

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates")


VISIT_KEYS = (
    "kiosk_employee",
    "kiosk_staff",
    "kiosk_voucher",
    "kiosk_seen",
    "kiosk_cart",
    "kiosk_cart_total",
    "kiosk_visit",
    "kiosk_voucher_mac",
    "kiosk_bearer_slips",
    "kiosk_staff_token",
)


def open_session(key: str, holder_id: int) -> None:
    """Start a kiosk session for one person (an employee, or a storekeeper in staff mode); it ends the last.

    The visit's token is kept on the kiosk's row too: only the cookie of the visit open now opens anything."""
    end_session()
    visit = secrets.token_urlsafe(16)
    g.kiosk.visit_token = visit
    session[key] = holder_id
    session["kiosk_visit"] = visit
    session["kiosk_seen"] = utcnow().isoformat()


def session_holder(key: str) -> int | None:
    """The id kept under ``key`` while this kiosk session has not idled out (each use restarts its clock)."""
    holder_id, seen = session.get(key), session.get("kiosk_seen")
    if holder_id is None or seen is None:
        return None
    idle = dt.timedelta(seconds=get_setting(db.session, "kiosk_idle_seconds"))
    quiet = utcnow() - dt.datetime.fromisoformat(seen)
    if quiet > idle:
        end_session()
        return None
    # A fragment (the shelf, the notice list) leaves the cookie alone unless the session is half idle: its
    # answer may come after a cart change's and would put the older cart back. Every other request keeps the
    # session alive.
    if request.method != "GET" or not request.htmx or quiet > idle / 2:
        session["kiosk_seen"] = utcnow().isoformat()
    return holder_id


def current_employee() -> people.Employee | None:
    """The employee of this kiosk session, or None once it has idled out."""
    employee_id = session_holder("kiosk_employee")
    if employee_id is None:
        return None
    employee = g.get("kiosk_employee")  # loaded with the kiosk's check
    if employee is None or employee.id != employee_id:
        employee = db.session.get(people.Employee, employee_id, options=[joinedload(people.Employee.department)])
    if employee is None or not employee.active:
        end_session()
        return None
    return employee


def current_bearer() -> hazards.Bearer | None:
    """The bearer of a claim code at this kiosk (a voucher visit), with the points left on it, or None."""
    opened = session_holder("kiosk_voucher")
    code_mac = session.get("kiosk_voucher_mac")
    if opened is None or not isinstance(code_mac, str):
        return None
    bearer = hazards.voucher(db.session, opened, code_mac)
    if bearer is None:
        end_session()
    return bearer


SCAN_TRIES, SCAN_TRY_LIMIT, SCAN_LOCK_MINUTES = "scan", 30, 15


def scanned_card(code: str) -> people.Employee:
    """The employee whose card was scanned here. Unknown and revoked cards are counted for this kiosk: guessing
    RFID UIDs at the scanner stops after 30 in 15 minutes (a right card adds one read, no write)."""
    subject = f"kiosk:{g.kiosk.id}"
    if tries.is_locked(db.session, SCAN_TRIES, subject):
        raise TooManyTries(_l("Too many unknown cards at this kiosk. Ask the storekeeper."))
    try:
        return people.identify_card(db.session, code)
    except (UnknownCard, CardRevoked):
        tries.count_wrong(db.session, SCAN_TRIES, subject, limit=SCAN_TRY_LIMIT, lock_minutes=SCAN_LOCK_MINUTES)
        raise


def open_voucher_visit(bearer: hazards.Bearer) -> None:
    """A visit for the bearer of a claim code: the kiosk's cookie holds the hazard and the code's keyed hash
    (never the code), for this visit only."""
    open_session("kiosk_voucher", bearer.hazard_id)
    session["kiosk_voucher_mac"] = bearer.code_mac


def end_session(*, whatever_follows: bool = False) -> None:
    """End this browser's visit, here and on the kiosk's row (a copy of the cookie then opens nothing).

    ``whatever_follows``: the end stands although the rest of the request fails (a new scan ends the last
    person's visit, also when the card is unknown); the first thing such a request writes."""
    kiosk = g.get("kiosk")
    visit = session.get("kiosk_visit")
    if kiosk is not None and visit is not None and kiosk.visit_token == visit:
        kiosk.visit_token = None
        if whatever_follows:
            keep_so_far(db.session)
    for key in VISIT_KEYS:
        session.pop(key, None)


def _visit_is_open() -> bool:
    """Whether this browser's session is the visit open at its kiosk now."""
    kiosk, visit = g.kiosk, session.get("kiosk_visit")
    return kiosk is not None and visit is not None and kiosk.visit_token == visit


def go(endpoint: str) -> Response:
    """Send the browser to ``endpoint``: a 303, or for an htmx request a full-page HX-Redirect."""
    target = url_for(endpoint)
    if request.htmx:
        return htmx_response("", 204, redirect=target)
    return redirect(target, 303)


def _visit_view(find: Callable[[], Any], view: Callable[..., Any] | None, lock: bool) -> Any:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            holder = find()
            if holder is None:
                return go("kiosk.index")
            return view(holder, *args, **kwargs)

        wrapped.locks_employee = lock  # type: ignore[attr-defined]
        return wrapped

    return decorate(view) if view is not None else decorate


def employee_view(view: Callable[..., Any] | None = None, *, lock: bool = False) -> Any:
    """A view for the employee at the kiosk: it gets them as its first argument; without one (idle
    timeout, "done", nobody scanned yet) the browser goes back to the scan screen. ``lock``: the view spends
    their points, so they are loaded locked for update with the kiosk's own check (one statement)."""
    return _visit_view(current_employee, view, lock)


def holder_view(view: Callable[..., Any] | None = None, *, lock: bool = False) -> Any:
    """A shop view for whoever pays at the kiosk: the employee of the visit (as ``employee_view``), or the
    bearer of an anonymous reward's claim code (a voucher visit, no card)."""
    return _visit_view(current_holder, view, lock)


def current_holder() -> store.Holder | None:
    return current_bearer() if "kiosk_voucher" in session else current_employee()


COOKIE = "mart_kiosk"


@bp.context_processor
def _kiosk_globals() -> dict[str, Any]:
    return {"idle_seconds": get_setting(db.session, "kiosk_idle_seconds"), "kiosk": g.get("kiosk")}


@bp.before_request
def _paired_kiosk() -> Response | None:
    """Every kiosk page needs a paired browser; others get the pairing page."""
    view = current_app.view_functions.get(request.endpoint or "")
    g.kiosk, g.kiosk_employee = kiosks.kiosk_for(
        db.session,
        request.cookies.get(COOKIE),
        employee_id=session.get("kiosk_employee"),
        lock_employee=getattr(view, "locks_employee", False),
    )
    if any(key in session for key in VISIT_KEYS) and not _visit_is_open():
        g.kiosk_employee = None  # an ended visit (done, timed out, the next card) or a replayed cookie
        end_session()
    if g.kiosk is None and request.endpoint not in ("kiosk.pair", "kiosk.pair_post"):
        return go("kiosk.pair")
    return None


def kiosk_cart() -> dict[int, int]:
    return {int(k): v for k, v in session.get("kiosk_cart", {}).items()}


def save_cart(priced: store.PricedCart) -> None:
    """Keep the cart, and its total for the shelf's "not enough points" marks (the redemption prices afresh)."""
    session["kiosk_cart"] = {str(k): v for k, v in priced.cart.items()}
    session["kiosk_cart_total"] = priced.total


def cart_total() -> int:
    return int(session.get("kiosk_cart_total", 0))


def store_closed() -> str | None:
    """Why the store is shut now, in words; None while it is open. The shelf and the cart say it at once."""
    return None if store.store_open(db.session) else store.closed_words(db.session)


def cart_context(employee: store.Holder, priced: store.PricedCart | None = None) -> dict:
    priced = priced or store.price_cart(db.session, employee, kiosk_cart())
    return {
        "lines": priced.lines,
        "total": priced.total,
        "left": priced.left,
        "needs_pin": priced.needs_pin,
        "closed": store_closed(),
    }
