"""What every response gets in production: security headers, one log line with a request id, health checks.

- Security headers: a content policy that allows only the product's own scripts, styles and pictures (no
  inline script, no inline style, no other origin), no framing, no MIME sniffing, no referrer to others.
- One log line a request (logger ``mart.request``): request id, method, the route's pattern (not the path:
  card and follow tokens never reach a log), status, milliseconds. The id comes from the proxy's
  ``X-Request-ID`` (nginx's ``$request_id``) or is made here, and is sent back in the response.
- ``/livez`` answers as soon as the process does; ``/healthz`` also asks the database and the print queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import time

from flask import Flask, Response, g, request
from sqlalchemy import func, select, text

from models.clock import utcnow
from models.errors import InvalidInput
from models.i18n import lazy_gettext as _l

from .extensions import db
from .xlsx import MIMETYPE as XLSX

log = logging.getLogger("mart.request")

CONTENT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
NEVER_KEPT = {"text/html", "application/pdf", "application/json", XLSX}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
STUCK_MINUTES = 10  # a slip queued and due this long without the worker taking it: the worker is down


def _start_clock() -> None:
    g.started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else secrets.token_hex(8)


def _refuse_nul() -> None:
    """A NUL character is in no name, note or code anyone types, and PostgreSQL cannot store one (SQLite
    would, silently): a request that carries one anywhere is refused at the door, the same on both."""
    texts = [request.path, *request.args.keys(), *(v for _, values in request.args.lists() for v in values)]
    if request.method not in ("GET", "HEAD") and request.mimetype in FORM_TYPES:
        texts += [*request.form.keys(), *(v for _, values in request.form.lists() for v in values)]
    if any("\x00" in text for text in texts):
        raise InvalidInput(_l("The input holds a character that cannot be stored (NUL). Type it again."))


def _finish(response: Response) -> Response:
    headers = response.headers
    headers["X-Request-ID"] = g.get("request_id", "")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CONTENT_POLICY)
        # A URL may answer a whole page or, to htmx, a fragment of it: caches must keep the two apart.
        response.vary.add("HX-Request")
    # Pages, PDFs and exports carry names, balances and card credentials: no browser or proxy keeps a copy (a
    # shared office computer after sign-out, the back button). Pictures keep what their view chose.
    if response.mimetype in NEVER_KEPT or (request.path.startswith("/admin/") and "Cache-Control" not in headers):
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info("%s %s %s %s %.1fms", g.get("request_id", "-"), request.method, rule, response.status_code, elapsed)
    return response


def livez() -> tuple[str, int, dict[str, str]]:
    """The process answers (no database work): for a quick liveness probe."""
    return "ok", 200, {"Content-Type": "text/plain"}


def healthz() -> tuple[str, int, dict[str, str]]:
    """For the load balancer: the database answers and the print queue moves. 503 with the reason if not."""
    from models.printing import JobStatus, PrintJob, stale

    try:
        db.session.execute(text("SELECT 1"))
        due_before = utcnow() - dt.timedelta(minutes=STUCK_MINUTES)
        stuck = db.session.scalar(
            select(func.count()).where(PrintJob.status == JobStatus.queued, PrintJob.next_attempt_at < due_before)
        )
        held = db.session.scalar(select(func.count()).where(stale()))
    except Exception:
        logging.getLogger(__name__).exception("health check: the database does not answer")
        return "database unreachable", 503, {"Content-Type": "text/plain"}
    if held:
        return f"print worker stopped mid-slip: {held} held past their lease", 503, {"Content-Type": "text/plain"}
    if stuck:
        return f"print queue stuck: {stuck} slips waiting over {STUCK_MINUTES} min", 503, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}


def install(app: Flask) -> None:
    app.before_request(_start_clock)
    app.before_request(_refuse_nul)
    app.after_request(_finish)
    app.add_url_rule("/livez", "live", livez)
    app.add_url_rule("/healthz", "health", healthz)
