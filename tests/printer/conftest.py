"""A redemption whose slip the printer tests print."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from models import store
from models.settings import set_setting
from printer.backends import DummyBackend, backend_for
from printer.worker import Worker


@pytest.fixture
def redemption(session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 100_000)
    worker = make_employee(name="刘德华", number="E01234", balance=500)
    soap = make_goods("洗衣液", 20, stock=5)
    result = store.redeem(session, worker, {soap.id: 2}, kiosk="一号终端", request_key=secrets.token_urlsafe(16))
    session.commit()
    return result.redemption


@pytest.fixture
def dummy():
    """A printer that keeps what it was sent (``dummy.sent``) and fails the next ``dummy.fail`` sends."""
    return DummyBackend("dummy://")


@pytest.fixture
def worker(app, dummy):
    """The print worker on the app's sessions, printing dummy:// jobs on ``dummy``."""
    return Worker(
        app.extensions["mart.db"][1],
        store_name=app.config["STORE_NAME"],
        instance_path=Path(app.instance_path),
        backends=lambda uri, folder: dummy if uri.startswith("dummy:") else backend_for(uri, folder),
    )
