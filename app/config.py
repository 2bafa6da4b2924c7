"""Configuration defaults: the embedded set-up a newcomer gets without setting anything.

Every key can be overridden from the environment with the ``MART_`` prefix (``MART_DATABASE_URL``,
``MART_SECRET_KEY`` ...); ``DATABASE_URL`` and ``SECRET_KEY`` without a prefix are read too, as
deployment tools set them that way.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from models import clock


def defaults(app: Flask) -> dict[str, object]:
    return {
        "DATABASE_URL": f"sqlite:///{Path(app.instance_path) / 'mart.db'}",
        "SECRET_KEY": None,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        # The plant's time zone (MART_TIMEZONE): every day, month and year is cut in it and every time shown
        # in it (models/clock.py). The server's own system zone is never read.
        "TIMEZONE": clock.DEFAULT_ZONE,
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": {"zh_Hans_CN": "中文", "en": "English"},
        "STORE_NAME": "安全积分超市",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # a kiosk page may stand open all day
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,  # up to 4 photos; each is held to the photo_max_mb setting
        # Uploaded photos: outside the static folder, served only by views that check who asks.
        "UPLOAD_FOLDER": str(Path(app.instance_path) / "uploads"),
        # The embedded default is a development server; production sets MART_DEV=0 (deploy/ does).
        "DEV": False,
        # Cookies only over HTTPS: None decides by itself (on in production, off in development); set
        # MART_SESSION_COOKIE_SECURE=false only for a plain-HTTP closed LAN (deploy/README.md).
        "SESSION_COOKIE_SECURE": None,
        "SESSION_COOKIE_HTTPONLY": True,
        # How many proxies (nginx) stand in front and set X-Forwarded-*: 0 trusts none of those headers.
        "PROXIES": 0,
    }


def load_secret_key(app: Flask, *, allow_instance_key: bool = False) -> None:
    """Production must set SECRET_KEY. In debug, tests and the embedded dev set-up, a random key is kept in
    instance/secret_key so sessions survive a restart."""
    key = app.config.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if key:
        app.config["SECRET_KEY"] = key
        return
    if not (allow_instance_key or app.debug or app.testing or app.config.get("DEV")):
        raise RuntimeError(
            "SECRET_KEY is not set. Set MART_SECRET_KEY (or SECRET_KEY) to a long random string; see deploy/README.md."
        )
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


def instance_secret(app: Flask, name: str) -> bytes:
    """A key the database never holds: ``MART_<NAME>`` if set, else kept in instance/<name> (made once, 0600).

    For the spends of anonymous claim codes (voucher_key) and the ledger's seal (ledger_key). Unlike
    SECRET_KEY it must never change: back it up with the database (deploy/README.md)."""
    given = app.config.get(name.upper())
    if given:
        return str(given).encode()
    path = Path(app.instance_path) / name
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()
