"""The go-live checklist: what a plant needs before its first redemption, each step ticked from the data.

Nobody ticks a step by hand: a step is done when the database shows it done (the server's address set, the
roster in, every working employee with a card and a PIN ...), so the list cannot say "ready" for a plant
that is not. The order matters where it is printed: cards and posters carry the server's address in their
QR codes, so they wait for it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from . import ledger
from .kiosks import Kiosk
from .people import Card, Employee, Role, StaffUser, pins_chosen_at_kiosk
from .places import Place
from .settings import Setting, get_setting
from .store import Goods

LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


@dataclass(frozen=True)
class Step:
    key: str
    done: bool
    missing: int = 0  # how many are still to do (employees without a card, ...), where it counts
    optional: bool = False
    waits_for: str = ""  # the key of a step that must come first


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(query) or 0)


def reachable_address(url: str) -> bool:
    """Whether phones on the plant's network could open ``url``: a host that is not this machine by any name
    (127.x.x.x, ::1, 0.0.0.0, localhost, a bare number that is an address in disguise)."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:  # an unclosed [ ... ]
        return False
    if not host or host in LOOPBACK or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # A name, not an address: a bare number, hex or a short form with dots (http://2130706433,
        # http://0x7f000001, http://127.1) is an address a browser reads its own way.
        return (
            not re.fullmatch(r"0x[0-9a-f.x]+|[0-9x.]+", host)
            and re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", host) is not None
        )
    mapped = getattr(address, "ipv4_mapped", None) or address
    return not (mapped.is_loopback or mapped.is_unspecified or mapped.is_link_local)


def checklist(session: Session) -> list[Step]:
    working = Employee.active.is_(True)
    employees = _count(session, select(func.count()).where(working))
    has_card = exists().where(Card.employee_id == Employee.id, Card.revoked_at.is_(None))
    no_card = _count(session, select(func.count()).where(working, ~has_card))
    no_pin = _count(session, select(func.count()).where(working, Employee.pin_hash.is_(None)))
    roles = list(session.scalars(select(StaffUser.roles_text).where(StaffUser.active.is_(True))))
    doing = {Role.safety_officer.value, Role.storekeeper.value}
    missing_roles = len([r for r in doing if not any(r in text.split(",") for text in roles)])
    address = reachable_address(get_setting(session, "public_url"))
    pins_at_kiosk = pins_chosen_at_kiosk(session)  # each chooses theirs on the first scan
    scheme = bool(get_setting(session, "enterprise_name")) and session.get(Setting, "yearly_cap") is not None
    brought = _count(
        session,
        select(func.count()).where(ledger.LedgerEntry.ref_type.in_(("opening", "go_live"))),
    )
    return [
        Step("address", address),
        Step("staff", missing_roles == 0, missing_roles),
        Step("roster", employees > 0),
        Step("cards", employees > 0 and no_card == 0, no_card, waits_for="" if address else "address"),
        Step("pins", employees > 0 and no_pin == 0, no_pin, optional=pins_at_kiosk),
        Step("goods", _count(session, select(func.count()).where(Goods.active.is_(True), Goods.stock > 0)) > 0),
        Step(
            "places",
            _count(session, select(func.count()).where(Place.active.is_(True))) > 0,
            waits_for="" if address else "address",
        ),
        Step(
            "kiosk",
            _count(session, select(func.count()).where(Kiosk.active.is_(True), Kiosk.token_hash.is_not(None))) > 0,
        ),
        Step("opening", brought > 0, optional=True),
        Step("scheme", scheme),
    ]


def ready(steps: list[Step]) -> bool:
    return all(step.done for step in steps if not step.optional)
