"""Safety Points Mart: the application factory."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, render_template, request, session
from flask_babel import get_locale
from flask_babel import refresh as babel_refresh
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from models import clock, hazards, ledger

from . import l10n, web
from .config import defaults, instance_secret, load_secret_key
from .extensions import babel, csrf, db, htmx, login_manager


def create_app(test_config: Mapping[str, Any] | None = None, *, cli: bool = False) -> Flask:
    """The app. ``cli`` is set by the ``mart`` command: a shell on the server may run without SECRET_KEY
    (the key then lives in instance/secret_key, as in development)."""
    app = Flask(__name__, instance_path=os.environ.get("MART_INSTANCE_PATH") or None, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # An id in a URL is at most what an INTEGER column holds: a larger one is a 404, not a database error.
    app.url_map.converters["int"] = RowId
    app.config.from_mapping(defaults(app))
    if test_config is None:
        if os.environ.get("DATABASE_URL"):
            app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
        app.config.from_prefixed_env("MART")
    else:
        app.config.from_mapping(test_config)
    load_secret_key(app, allow_instance_key=cli)
    development = cli or app.testing or bool(app.config["DEV"])
    if under_gunicorn() and (development or app.debug):
        raise RuntimeError(
            "MART_DEV, FLASK_DEBUG and testing mode are for a developer's machine, never under gunicorn: they "
            "turn off secure cookies and show errors to anyone. Unset them on this server (deploy/README.md)."
        )
    if not development and len(str(app.config["SECRET_KEY"])) < MIN_SECRET_KEY:
        raise RuntimeError(
            f"SECRET_KEY is too short: at least {MIN_SECRET_KEY} characters, e.g. "
            "python3 -c 'import secrets; print(secrets.token_hex(32))' (deploy/README.md)."
        )
    if app.debug and not development:
        raise RuntimeError(
            "Debug mode is on outside development: it would show code and data to anyone who causes an error. "
            "Unset FLASK_DEBUG / MART_DEBUG on this server."
        )
    if app.config.get("SESSION_COOKIE_SECURE") is None:  # production: cookies only over HTTPS (deploy/README.md)
        app.config["SESSION_COOKIE_SECURE"] = not (development or app.debug)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if int(app.config["PROXIES"]):  # behind nginx: honour X-Forwarded-For/-Proto/-Host/-Prefix from it
        hops = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)  # type: ignore[method-assign]

    clock.set_zone(app.config["TIMEZONE"])
    hazards.use_secret(instance_secret(app, "voucher_key"))
    ledger.use_key(instance_secret(app, "ledger_key"))
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page says it already

    from admin import bp as admin_bp
    from kiosk import board_bp, counter_bp, spot_bp, station_bp

    from . import auth

    app.register_blueprint(auth.bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(counter_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(station_bp)
    app.register_blueprint(spot_bp)

    from .errors import register_error_handlers

    register_error_handlers(app)
    app.add_url_rule("/", "home", _home)
    web.install(app)
    db.install_boundary(app)
    # Flask-Babel caches the locale on the app context, which outlives a request when one is already
    # pushed (a CLI command, a test): choose it afresh for every request.
    app.before_request(babel_refresh)
    from models.settings import CHOICE_LABELS

    app.jinja_env.globals.update(
        languages=app.config["LANGUAGES"], get_locale=get_locale, choice_labels=CHOICE_LABELS, weekdays=l10n.weekdays
    )
    # Every time and day a person reads, in the plant's zone and one format per language (models/clock.py).
    app.jinja_env.filters.update(
        when=l10n.when, day=l10n.day, logged=l10n.logged, who=l10n.who, signed=l10n.signed, memo=l10n.memo
    )
    clock.read_in(l10n.reader_language)  # a message of the domain that carries a time shows it to its reader

    @app.context_processor
    def _layout_globals() -> dict[str, Any]:
        return {"current_user": current_user, "store_name": app.config["STORE_NAME"]}

    from .cli import register_commands

    register_commands(app)
    return app


MIN_SECRET_KEY = 32  # a session cookie signed with a short key can be forged by trying keys


def under_gunicorn() -> bool:
    """Whether this process is a gunicorn server (production)."""
    return Path(sys.argv[0]).name.startswith("gunicorn")


class RowId(IntegerConverter):
    """``<int:...>`` in a route: a whole number from 0 to 2**31 - 1 (PostgreSQL's INTEGER)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _select_locale() -> str:
    """?lang= switches the language for this browser; otherwise Chinese, the default."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
    chosen = session.get("lang")
    return str(chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"])


def _home() -> str:
    return render_template("home.html")
