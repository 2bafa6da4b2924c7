"""How errors reach a user: a clear message in their language with a 4xx, never a stack trace.

A domain exception rolls the request's unit of work back (so nothing it half-did is kept, but for the tries
an operation records whatever happens: models/unit.py) and shows its message. For an htmx request the
message is swapped into the page's message area; otherwise an error page with the message and a way back.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, make_response, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from htmx_flask import make_response as htmx_response
from htmx_flask import request
from werkzeug.exceptions import HTTPException

from models.errors import DomainError

from .extensions import db

log = logging.getLogger(__name__)


def error_response(message: str, status: int) -> Response:
    db.abandon()
    if request.htmx:
        fragment = render_template("_message.html", message=message, level="error")
        return htmx_response(fragment, status, retarget="#messages", reswap="innerHTML")
    if request.blueprint == "kiosk" or request.path == "/kiosk" or request.path.startswith("/kiosk/"):
        # The counter's refusals stay within the kiosk: its own screen, the scan field live, back to the idle
        # screen by itself (kiosk/templates/kiosk/refused.html); also an address under /kiosk that matches no
        # page (a typo, a reload of a form's answer).
        extra = {} if request.blueprint == "kiosk" else {"idle_seconds": 20}  # no kiosk page matched: no setting read
        page = render_template("kiosk/refused.html", message=message, status=status, refused=True, **extra)
        return make_response(page, status)
    return make_response(render_template("error.html", message=message, status=status), status)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError) -> Response:
        return error_response(err.message, err.status_code)

    @app.errorhandler(CSRFError)
    def _csrf(_err: CSRFError) -> Response:
        return error_response(_("The form had expired. Reload the page and try again."), 400)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        messages = {
            400: _("The request was not understood."),
            403: _("You are not allowed to do this."),
            404: _("This page does not exist."),
            405: _("This page does not take that kind of request."),
            413: _("The upload is too large."),
        }
        status = err.code or 500
        return error_response(messages.get(status, _("The request could not be carried out.")), status)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:  # pragma: no cover - the last net, logged for the admin
        log.exception("unexpected error on %s", request.path)
        return error_response(_("Something went wrong on our side. Nothing was changed."), 500)
