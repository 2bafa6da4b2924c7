"""The connection pool: a connection that died while idle (a database restart) is replaced, not used."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import extensions
from app.extensions import make_engine


def _kill_pooled_connection(engine) -> int:
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    killer = make_engine(str(engine.url.render_as_string(hide_password=False)))
    with killer.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    return pid


def test_an_idle_connection_killed_by_the_server_is_replaced(database_url, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to lose")
    engine = make_engine(database_url, pool_size=1)
    try:
        pid = _kill_pooled_connection(engine)
        monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 0.0)  # the connection has idled long enough
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()


def test_a_busy_pool_does_not_ping(database_url, monkeypatch):
    """Between requests a connection is not checked (no extra round trip); the check is what saves the
    request above, as a request on a dead connection fails."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to lose")
    engine = make_engine(database_url, pool_size=1)
    try:
        _kill_pooled_connection(engine)
        monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 3600.0)
        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
