"""People and cards: random card tokens, revocation, scanning quirks, PIN tries."""

from __future__ import annotations

import pytest

from models import people, roster
from models.errors import CardRevoked, InactiveEmployee, InvalidInput, PinLocked, UnknownCard, WrongPin
from models.people import CardKind
from models.settings import set_setting


def test_a_qr_card_carries_a_random_token_not_the_employee_number(session, make_employee):
    worker = make_employee(number="E00042")
    first = people.issue_card(session, worker, CardKind.qr, actor="staff:admin")
    second = people.issue_card(session, make_employee(), CardKind.qr, actor="staff:admin")
    assert "42" not in first.code and worker.number not in first.code
    assert len(first.code) >= 22 and first.code != second.code
    assert people.identify_card(session, first.code) == worker


def test_a_revoked_card_identifies_no_one_and_a_reissued_one_does(session, make_employee):
    worker = make_employee()
    card = people.issue_card(session, worker, CardKind.qr, actor="staff:admin")
    with pytest.raises(InvalidInput):
        people.revoke_card(session, card, actor="staff:admin", reason=" ")
    new = people.reissue_card(session, card, actor="staff:admin", reason="遗失")
    assert not card.active and card.revoke_reason == "遗失"
    with pytest.raises(CardRevoked):
        people.identify_card(session, card.code)
    assert people.identify_card(session, new.code) == worker
    with pytest.raises(UnknownCard):
        people.identify_card(session, "no-such-card")
    with pytest.raises(UnknownCard):
        people.identify_card(session, "  \r\n")


def test_scans_survive_scanner_suffixes_and_a_chinese_input_method(session, make_employee):
    worker = make_employee()
    card = people.issue_card(session, worker, CardKind.qr, actor="staff:admin")
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in card.code)
    assert people.identify_card(session, f"{card.code}\r\n") == worker
    assert people.identify_card(session, f"\t{full_width}") == worker


def test_rfid_cards_are_known_by_their_uid_in_any_notation(session, make_employee):
    worker = make_employee()
    people.issue_card(session, worker, CardKind.rfid, actor="staff:admin", uid="04:a2:2b:1c")
    assert people.identify_card(session, "04A22B1C") == worker
    assert people.identify_card(session, "04:a2:2b:1c") == worker
    with pytest.raises(InvalidInput):
        people.issue_card(session, make_employee(), CardKind.rfid, actor="staff:admin", uid="04A22B1C")
    with pytest.raises(InvalidInput):
        people.issue_card(session, worker, CardKind.rfid, actor="staff:admin", uid="not-hex!")


def test_a_card_of_someone_who_left_identifies_no_one(session, make_employee):
    worker = make_employee()
    card = people.issue_card(session, worker, CardKind.qr, actor="staff:admin")
    roster.leave(session, worker, actor="test")
    with pytest.raises(CardRevoked):
        people.identify_card(session, card.code)
    with pytest.raises(InactiveEmployee):
        people.issue_card(session, worker, CardKind.qr, actor="staff:admin")


@pytest.mark.parametrize("number", ["", "   ", "员工1", "x" * 33, "-E1"])
def test_employee_numbers_are_checked(session, number):
    dept = people.get_or_create_department(session, "机加车间")
    with pytest.raises(InvalidInput):
        people.create_employee(session, number=number, name="李四", department=dept)


def test_employee_numbers_are_unique_and_kinds_known(session, make_employee):
    make_employee(number="E1")
    dept = people.get_or_create_department(session, "机加车间")
    with pytest.raises(InvalidInput, match="E1"):
        people.create_employee(session, number="E1", name="李四", department=dept)
    with pytest.raises(InvalidInput):
        people.create_employee(session, number="E2", name="李四", department=dept, kind="visitor")
    for kind in ("staff", "contractor", "temporary"):
        assert people.create_employee(session, number=f"K-{kind}", name="王五", department=dept, kind=kind).active


def test_a_pin_is_hashed_and_wrong_tries_lock_it(session, make_employee):
    set_setting(session, "pin_max_tries", 3)
    worker = make_employee()
    with pytest.raises(InvalidInput):
        people.set_pin(session, worker, "12a4")
    people.set_pin(session, worker, "2580")
    session.commit()  # a try is counted first thing in a unit of work (models/unit.py)
    assert "2580" not in worker.pin_hash
    people.check_pin(session, worker, "2580")
    for _ in range(2):
        with pytest.raises(WrongPin):
            people.check_pin(session, worker, "0000")
    with pytest.raises(WrongPin):
        people.check_pin(session, worker, "1111")  # the third wrong try locks it
    with pytest.raises(PinLocked):
        people.check_pin(session, worker, "2580")  # even the right PIN waits now


def test_staff_passwords_are_hashed_and_roles_checked(session):
    user = people.create_staff(
        session, username="safety", name="李明", password="long-enough", roles=["safety_officer"]
    )
    assert user.check_password("long-enough") and not user.check_password("wrong")
    assert "long-enough" not in user.password_hash
    assert user.has_role(people.Role.safety_officer) and not user.has_role(people.Role.storekeeper)
    admin = people.create_staff(session, username="root", name="", password="long-enough", roles=["admin"])
    assert admin.has_role(people.Role.storekeeper)  # admins may do everything
    with pytest.raises(InvalidInput):
        people.create_staff(session, username="x", name="", password="long-enough", roles=["admin"])
    with pytest.raises(InvalidInput):
        people.create_staff(session, username="short", name="", password="short", roles=["admin"])
    with pytest.raises(InvalidInput):
        people.create_staff(session, username="nobody", name="", password="long-enough", roles=["janitor"])


def test_a_card_token_cannot_be_guessed():
    """128 random bits from the OS (secrets): with 10,000 live cards and a million guesses a second, hitting
    any card takes 2^128 / 10^4 / 10^6 s ≈ 10^18 years. Here: the size, uniqueness, and no biased bit."""
    import base64

    tokens = [people.new_card_token() for _ in range(2000)]
    assert len(set(tokens)) == len(tokens)
    raw = [base64.urlsafe_b64decode(t + "==") for t in tokens]
    assert all(len(r) == 16 for r in raw)  # 128 bits each
    for bit in range(128):
        ones = sum((r[bit // 8] >> (bit % 8)) & 1 for r in raw)
        assert 800 < ones < 1200  # each bit is a coin toss (9 standard deviations of room either side)
