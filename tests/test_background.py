"""`mart run` on the embedded default prints slips and credits claims in its own process, and stops them with it."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

from app.background import Background
from models import claims, printing, store
from models.clock import utcnow


def _until(check, seconds: float = 20.0) -> bool:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_slip_lands_and_a_claim_is_credited_with_no_second_command(
    app, session, make_employee, make_goods, make_claim
):
    worker = make_employee(balance=100)
    soap = make_goods("肥皂", 5, price=10)
    bought = store.redeem(session, worker, {soap.id: 1}, kiosk="test", request_key="b" * 20).redemption
    printing.enqueue(session, bought, printer_uri="file://receipts", columns=32, encoding="gb18030", actor="test")
    claim = make_claim(worker, "T01", 10, source="office", actor="staff:safety")
    claims.approve(session, claim, 10, actor="staff:leader", now=utcnow() - dt.timedelta(days=10))
    session.commit()
    receipts = Path(app.instance_path) / "receipts"
    background = Background(app, print_every=0.2, credit_every=0.5).start()
    try:
        assert _until(lambda: any(receipts.glob(f"{bought.number}-*.bin"))), "no slip in instance/receipts"

        def credited() -> bool:
            session.expire_all()
            return session.get(claims.Claim, claim.id).status is claims.ClaimStatus.credited

        assert _until(credited), "the claim whose notice ended was not credited"
    finally:
        background.stop()
    assert not any(t.is_alive() for t in background.threads)  # stopped with the process
    assert session.get(type(worker), worker.id).balance == 100 - 10 + 10
    assert [t.name for t in threading.enumerate() if t.name.startswith("mart-")] == []
