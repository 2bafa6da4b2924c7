"""Kiosks: registered devices, not signed-in people.

An admin registers a kiosk (a name and its printer) and gets a one-time pairing code. Typed once into the
kiosk's browser, the code pairs that browser: it receives a long random token in a cookie, and only a
hash of the token is kept here. A browser without a paired token gets the pairing page, not the store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Boolean, DateTime, String, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column

from . import ledger, tries
from .base import Base
from .clock import utcnow
from .errors import InvalidInput, NotFound, TooManyTries
from .i18n import lazy_gettext as _l
from .people import Employee

PAIRING_HOURS = 24
# Guessing an 8-digit code: at most 20 wrong tries a quarter of an hour, from all browsers together.
PAIRING_TRIES, PAIRING_TRY_LIMIT, PAIRING_LOCK_MINUTES = "pairing", 20, 15


class Kiosk(Base):
    __tablename__ = "kiosk"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    printer_uri: Mapped[str | None] = mapped_column(String(200))  # None: the printer_uri setting
    paper_mm: Mapped[str | None] = mapped_column(String(4))  # None: the paper_mm setting
    pairing_hash: Mapped[str | None] = mapped_column(String(64))
    pairing_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    paired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The visit now open at this kiosk (the employee's or the storekeeper's), also in the kiosk's session
    # cookie: "done", the idle time or the next card end it here, so a replayed cookie opens nothing.
    visit_token: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def actor(self) -> str:
        return f"kiosk:{self.name}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_kiosk(session: Session, name: str, *, printer_uri: str | None = None) -> tuple[Kiosk, str]:
    """Register a kiosk; returns it with its first pairing code (shown once to the admin)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInput(_l("A kiosk needs a name of up to 64 characters."))
    if session.scalar(select(Kiosk.id).where(Kiosk.name == name)) is not None:
        raise InvalidInput(_l("A kiosk named %(name)s exists already."), name=name)
    kiosk = Kiosk(name=name, printer_uri=(printer_uri or "").strip() or None)
    session.add(kiosk)
    session.flush()
    return kiosk, new_pairing_code(session, kiosk)


def new_pairing_code(session: Session, kiosk: Kiosk) -> str:
    """A fresh one-time code; pairing with it unpairs whatever browser the kiosk had."""
    code = f"{secrets.randbelow(10**8):08d}"
    kiosk.pairing_hash, kiosk.pairing_expires_at = _hash(code), utcnow() + dt.timedelta(hours=PAIRING_HOURS)
    session.flush()
    return code


def pair(session: Session, code: str) -> tuple[Kiosk, str]:
    """Pair a browser with the kiosk whose code this is; returns the kiosk and the browser's token."""
    code = "".join(ch for ch in code if ch.isdigit())
    usable = (
        Kiosk.pairing_hash == _hash(code),
        Kiosk.active.is_(True),
        Kiosk.pairing_expires_at.is_not(None),
        Kiosk.pairing_expires_at >= utcnow(),
    )
    kiosk = tries.attempt(  # only a code that pairs is a right answer: an expired one counts as wrong
        session,
        PAIRING_TRIES,
        "any",  # a browser that is not paired has no name: guesses from anywhere count together
        lambda: session.scalar(select(Kiosk).where(*usable)),
        limit=PAIRING_TRY_LIMIT,
        lock_minutes=PAIRING_LOCK_MINUTES,
        locked=TooManyTries(_l("Too many wrong pairing codes. Wait a quarter of an hour and try again.")),
    )
    if kiosk is None:
        raise NotFound(_l("This pairing code is not valid or has expired. Ask the administrator for a new one."))
    token = secrets.token_urlsafe(32)
    kiosk.token_hash, kiosk.paired_at = _hash(token), utcnow()
    kiosk.pairing_hash = kiosk.pairing_expires_at = None  # one time only
    session.flush()
    return kiosk, token


def kiosk_for(
    session: Session, token: str | None, *, employee_id: int | None = None, lock_employee: bool = False
) -> tuple[Kiosk | None, Employee | None]:
    """The paired kiosk whose browser holds ``token``, checked on every request (None: not paired, or no more).

    With ``employee_id`` (the employee of the kiosk's session) the employee and their department are loaded
    by the same statement (None when there is none any more); ``lock_employee`` loads them locked for update,
    as a redemption needs them (models/ledger.lock_employee)."""
    if not token:
        return None, None
    paired = (Kiosk.token_hash == _hash(token), Kiosk.active.is_(True))
    if employee_id is not None:
        query = (
            select(Kiosk, Employee)
            .join(Employee, Employee.id == employee_id)
            .where(*paired)
            .options(joinedload(Employee.department))
        )
        if lock_employee:
            query = query.with_for_update(of=Employee)
        row = session.execute(query).first()
        if row is not None:
            if lock_employee:
                ledger.locked(session, row[1])
            return row[0], row[1]
    return session.scalar(select(Kiosk).where(*paired)), None
