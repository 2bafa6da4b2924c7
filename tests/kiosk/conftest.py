"""Kiosk pages need a paired browser: the test client is paired with a registered kiosk first."""

from __future__ import annotations

import pytest

from models import kiosks


@pytest.fixture
def kiosk(session):
    kiosk, code = kiosks.create_kiosk(session, "一号终端", printer_uri="dummy://")
    session.commit()
    return kiosk, code


@pytest.fixture(autouse=True)
def paired(client, kiosk):
    response = client.post("/kiosk/pair", data={"code": kiosk[1]})
    assert response.status_code == 303
    return kiosk[0]
