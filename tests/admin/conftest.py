"""What the back office's hazard tests share: a machine in a workshop, the place hazards are reported at."""

from __future__ import annotations

import pytest

from models import places


@pytest.fixture
def press(session):
    shop = places.save_place(session, None, name="冲压车间", risk="orange")
    machine = places.save_place(session, None, name="3号冲床", risk="red", parent_id=shop.id)
    session.commit()
    return machine
