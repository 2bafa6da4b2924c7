"""Tries at a secret are counted in the database, before the secret is checked: concurrent guesses, a second
worker process or a replayed kiosk cookie get no extra tries."""

from __future__ import annotations

import threading
from collections import Counter

from models import people, tries
from models.settings import set_setting

GUESSES = 40


def _kiosk_clients(app, client, n):
    """``n`` browsers of the same paired kiosk (the cookie copied): each request its own session and connection."""
    token = client.get_cookie("mart_kiosk").value
    clients = []
    for _ in range(n):
        other = app.test_client()
        other.set_cookie("mart_kiosk", token)
        clients.append(other)
    return clients


def test_forty_wrong_pins_at_once_count_as_forty_and_only_the_limit_is_checked(app, client, session, make_employee):
    set_setting(session, "pin_max_tries", 5)
    worker = make_employee(number="E7001")
    people.set_pin(session, worker, "2468")
    session.commit()
    clients = _kiosk_clients(app, client, GUESSES)
    start = threading.Barrier(GUESSES)
    statuses: list[int] = []

    def guess(browser, pin):
        start.wait()
        statuses.append(browser.post("/kiosk/pin", data={"number": "E7001", "pin": pin}).status_code)

    threads = [threading.Thread(target=guess, args=(c, f"{1000 + i:04d}")) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Five were checked (and were wrong); the other 35 were refused as locked without being checked.
    assert Counter(statuses) == {403: 5, 429: GUESSES - 5}
    session.expire_all()
    assert tries.counted(session, "pin", worker.id) == GUESSES
    locked = client.post("/kiosk/pin", data={"number": "E7001", "pin": "2468"})
    assert locked.status_code == 429  # the right PIN waits too
    people.set_pin(session, worker, "1357")  # the administrator sets a new one: the lock is lifted
    session.commit()
    assert client.post("/kiosk/pin", data={"number": "E7001", "pin": "1357"}).status_code == 200
    assert tries.counted(session, "pin", worker.id) == 0


def test_wrong_claim_codes_are_counted_for_the_kiosk_whatever_the_cookie(client, session, paired):
    replay = client.get_cookie("session").value  # the kiosk's session cookie before any wrong code
    for n in range(5):
        wrong = client.post("/kiosk/voucher", data={"code": f"WRONG{n}"})
        assert wrong.status_code == 403
    client.set_cookie("session", replay)  # a replayed cookie brings no new tries
    refused = client.post("/kiosk/voucher", data={"code": "WRONG9"})
    assert refused.status_code == 429 and "领取码错误次数过多" in refused.text
    assert tries.counted(session, "claim_code", f"kiosk:{paired.id}") == 6


def test_pairing_code_guesses_are_limited(app, client, session):
    from models import kiosks

    _, code = kiosks.create_kiosk(session, "二号终端")
    session.commit()
    browser = app.test_client()
    for n in range(kiosks.PAIRING_TRY_LIMIT):
        assert browser.post("/kiosk/pair", data={"code": f"{n:08d}"}).status_code == 404
    refused = browser.post("/kiosk/pair", data={"code": code})
    assert refused.status_code == 429 and "配对码错误次数过多" in refused.text
    assert browser.get_cookie("mart_kiosk") is None


def test_a_code_that_matches_but_cannot_be_used_still_counts(app, session):
    """An expired pairing code is a wrong try: knowing one does not reset the count of guesses."""
    import datetime as dt

    from models import kiosks
    from models.clock import utcnow

    old, code = kiosks.create_kiosk(session, "三号终端")
    old.pairing_expires_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    browser = app.test_client()
    for n in range(kiosks.PAIRING_TRY_LIMIT):
        guess = code if n % 5 == 4 else f"{n:08d}"
        assert browser.post("/kiosk/pair", data={"code": guess}).status_code == 404
    assert browser.post("/kiosk/pair", data={"code": code}).status_code == 429
    assert tries.counted(session, "pairing", "any") == kiosks.PAIRING_TRY_LIMIT + 1


def test_a_lock_holds_though_the_limit_is_raised(client, session, make_employee):
    set_setting(session, "pin_max_tries", 3)
    worker = make_employee(number="E7003")
    people.set_pin(session, worker, "2468")
    session.commit()
    for pin in ("0000", "0001", "0002"):
        assert client.post("/kiosk/pin", data={"number": "E7003", "pin": pin}).status_code == 403
    set_setting(session, "pin_max_tries", 20)
    session.commit()
    assert client.post("/kiosk/pin", data={"number": "E7003", "pin": "2468"}).status_code == 429
