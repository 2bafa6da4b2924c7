"""A redemption whose slip the printer tests print."""

from __future__ import annotations

import secrets

import pytest

from models import store
from models.settings import set_setting


@pytest.fixture
def redemption(session, make_employee, make_goods):
    set_setting(session, "pin_threshold", 100_000)
    worker = make_employee(name="刘德华", number="E01234", balance=500)
    soap = make_goods("洗衣液", 20, stock=5)
    result = store.redeem(session, worker, {soap.id: 2}, kiosk="一号终端", request_key=secrets.token_urlsafe(16))
    session.commit()
    return result.redemption
