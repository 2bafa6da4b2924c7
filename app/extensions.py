"""Extensions as module-level objects, bound to an app in ``create_app``."""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel
from flask_babel import gettext as _
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models import audit, unit

babel = Babel()
csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url`` with the house rules for each database applied."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30}, **options)
        _sqlite_write_transactions(engine)
        return engine
    engine = create_engine(parsed, **options)
    _ping_when_idle(engine)
    return engine


# A pooled connection unused for this long is pinged before it is handed out again.
IDLE_PING_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection that has been idle for a while (the server may have restarted, or a firewall
    dropped it) before handing it out; a dead one is replaced. Unlike ``pool_pre_ping`` this costs no round
    trip on a busy counter, where a connection goes back to work within milliseconds."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["mart.idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("mart.idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:  # any failure means the connection is gone: the pool takes a new one
            raise DisconnectionError(str(error)) from error


def _sqlite_write_transactions(engine: Engine) -> None:
    """SQLite has no SELECT ... FOR UPDATE. Instead every transaction begins as a write transaction
    (BEGIN IMMEDIATE): a second writer waits (busy timeout) until the first commits, so a balance read
    inside a transaction cannot change under it. WAL lets readers of other connections go on meanwhile."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let us issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # An engine made with execution_options(sqlite_autocommit=True) runs each statement on its own and
        # never holds the write lock between statements (the test suite's own session uses this, so what it
        # reads is always the latest and it never blocks the requests it checks).
        if not connection.get_execution_options().get("sqlite_autocommit"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _staff_actor() -> str | None:
    """Who on the staff acts in this request (for the audit log): the signed-in staff member, once the request
    has looked them up. Kiosk and phone pages used by employees never do; their own records say who acted."""
    if not has_request_context():
        return g.get("audit_actor")  # a CLI command may say who runs it
    user = g.get("_login_user")
    return user.actor if user is not None and user.is_authenticated else None


class Database:
    """One engine per app and one session per request (or CLI command): one unit of work (models/unit.py).

    Operations in models/ flush and never commit; neither do views. The request commits once when its answer
    is a success and rolls back on a domain error or any 4xx/5xx answer (``install_boundary``); a CLI command
    does the same with ``command``. The session is closed at teardown.
    """

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        maker = sessionmaker(engine, expire_on_commit=False)
        audit.watch(maker)
        app.extensions["mart.db"] = (engine, maker)
        app.teardown_appcontext(self._close)

    def install_boundary(self, app: Flask) -> None:
        """Commit or roll back each request once; installed last, so it runs before the other after-request
        work (the request log then shows the status the user got, a failed commit included)."""
        app.after_request(self._end_request)

    def abandon(self) -> None:
        """The request failed: roll its work back now (but for the tries it kept), before an error page is drawn
        from a session that still holds the failed work."""
        session = g.get("db_session")
        if session is not None:
            unit.finish(session, ok=False)

    def _end_request(self, response: Response) -> Response:
        session = g.get("db_session")
        if session is None:
            return response
        if response.status_code >= 400:
            unit.finish(session, ok=False)
            return response
        try:
            unit.finish(session, ok=True)
        except SQLAlchemyError:
            logging.getLogger(__name__).exception("commit failed on %s", request.path)
            session.rollback()
            from .errors import error_response

            return error_response(_("Something went wrong on our side. Nothing was changed."), 500)
        return response

    def unit(self) -> AbstractContextManager[Session]:
        """``with db.unit():`` outside a request (a ``mart`` command): committed at the end of the block, rolled
        back if it raises."""
        return unit.unit_of_work(self.session)

    @property
    def maker(self) -> sessionmaker[Session]:
        """The app's session factory, for work that runs its own units (the print worker)."""
        return current_app.extensions["mart.db"][1]

    @property
    def engine(self) -> Engine:
        return current_app.extensions["mart.db"][0]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["mart.db"][1]()
            audit.acting(g.db_session, _staff_actor)
        return g.db_session

    def new_session(self) -> Session:
        """A session outside the request's, for work that must commit on its own."""
        return current_app.extensions["mart.db"][1]()

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
