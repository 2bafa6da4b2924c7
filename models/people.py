"""Departments, teams, employees and their cards, and the staff who sign in to the back office.

Seed 000 covers every person on the site: staff, contractors and temporary workers alike. An employee
is identified at the kiosk by a card: a printed QR card whose code is a random token (never the
employee number, so a photo of a badge cannot be turned into someone else's card), or an RFID card
known by its UID. A revoked card identifies no one.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import secrets
from typing import Any

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, Select, String, select, text
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import tries
from .base import Base, LabelledEnum, clean_text
from .clock import utcnow
from .errors import (
    CardRevoked,
    Forbidden,
    InactiveEmployee,
    InvalidInput,
    NotFound,
    PinLocked,
    SignInLocked,
    UnknownCard,
    WrongPin,
)
from .i18n import lazy_gettext as _l
from .settings import get_setting


class EmployeeKind(LabelledEnum):
    staff = "staff", _l("Staff")
    contractor = "contractor", _l("Contractor")
    temporary = "temporary", _l("Temporary worker")


class CardKind(enum.StrEnum):
    qr = "qr"
    rfid = "rfid"


class Role(LabelledEnum):
    admin = "admin", _l("Administrator")
    safety_officer = "safety_officer", _l("Safety officer")
    storekeeper = "storekeeper", _l("Storekeeper")
    supervisor = "supervisor", _l("Supervisor")
    auditor = "auditor", _l("Auditor")
    finance = "finance", _l("Finance")  # reads the budget, the spending and the ledger; changes nothing


class Department(Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    teams: Mapped[list[Team]] = relationship(back_populates="department", order_by="Team.name")


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (Index("uq_team_department_name", "department_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    name: Mapped[str] = mapped_column(String(100))

    department: Mapped[Department] = relationship(back_populates="teams")


class Employee(Base):
    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    kind: Mapped[EmployeeKind] = mapped_column(
        Enum(EmployeeKind, native_enum=False, length=16), default=EmployeeKind.staff
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    # In the cookie of each phone that remembers this reporter: a new one (signing out on a phone, a new PIN)
    # makes every such phone forget them.
    reporter_token: Mapped[str | None] = mapped_column(String(32))
    # The cached balance: always the sum of this employee's ledger entries (models/ledger.py keeps it so,
    # under a row lock, and `mart ledger verify` checks it). Only ledger operations write it.
    balance: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    department: Mapped[Department] = relationship()
    team: Mapped[Team | None] = relationship()
    cards: Mapped[list[Card]] = relationship(back_populates="employee", order_by="Card.id")

    @property
    def has_pin(self) -> bool:
        return self.pin_hash is not None

    def ensure_active(self) -> None:
        if not self.active:
            raise InactiveEmployee()


class Card(Base):
    __tablename__ = "card"
    __table_args__ = (
        # A code identifies at most one card that is not revoked; a revoked code may be seen again
        # (an RFID card found and re-registered) without clashing with history.
        Index(
            "uq_card_active_code",
            "kind",
            "code",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_card_code", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    kind: Mapped[CardKind] = mapped_column(Enum(CardKind, native_enum=False, length=8))
    # QR: a random token of 128 bits; RFID: the UID the reader types, normalised to upper-case hex.
    code: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))

    employee: Mapped[Employee] = relationship(back_populates="cards")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class StaffUser(UserMixin, Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Comma-separated roles: one person may both supervise a team and keep the store.
    roles_text: Mapped[str] = mapped_column("roles", String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Part of every sign-in's cookie: a new one (sign-out, a new password, the account switched off) ends
    # every session opened before, on the server, whatever copy of an old cookie someone kept.
    session_token: Mapped[str | None] = mapped_column(String(32))

    @property
    def roles(self) -> set[Role]:
        return {Role(r) for r in self.roles_text.split(",") if r}

    def has_role(self, *roles: Role) -> bool:
        """Admins may do everything; others need one of ``roles``."""
        mine = self.roles
        return Role.admin in mine or bool(mine.intersection(roles))

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:  # what Flask-Login keeps in the session cookie
        return f"{self.id}.{self.session_token or ''}"

    def end_sessions(self) -> None:
        """End every session of this account (the next sign-in starts a new one)."""
        self.session_token = secrets.token_urlsafe(16)


def staff_of_session(session: Session, session_id: str) -> StaffUser | None:
    """The account a session cookie's id names, while that session has not been ended."""
    number, _, token = session_id.partition(".")
    if not number.isdigit() or len(number) > 10:
        return None
    user = session.get(StaffUser, int(number))
    if user is None or not user.active or (user.session_token or "") != token:
        return None
    return user


# --------------------------------------------------------------------------- operations

EMPLOYEE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def employee_number(text: str) -> str:
    """An employee number in its one stored form: no spaces, upper case (jz 0033 and JZ0033 are one person)."""
    return "".join(str(text).split()).upper()


PIN_PATTERN = re.compile(r"[0-9]{4,8}")  # matched whole (fullmatch): ASCII digits, no line end
PIN_TRIES = "pin"  # the scope of PIN tries (models/tries.py), one count per employee
RFID_PATTERN = re.compile(r"^[0-9A-F]{8,32}$")  # 4, 7 or 10 bytes: a UID of fewer digits is guessable


def get_or_create_department(session: Session, name: str) -> Department:
    name = clean_text(name.replace("\n", " "), 100)  # printable, one line: it is shown and printed everywhere
    if not name:
        raise InvalidInput(_l("A department needs a name."))
    dept = session.scalar(select(Department).where(Department.name == name))
    if dept is None:
        dept = Department(name=name)
        session.add(dept)
        session.flush()
    return dept


def get_or_create_team(session: Session, department: Department, name: str) -> Team:
    name = name.strip()
    team = session.scalar(select(Team).where(Team.department_id == department.id, Team.name == name))
    if team is None:
        team = Team(department=department, name=name)
        session.add(team)
        session.flush()
    return team


def create_employee(
    session: Session,
    *,
    number: str,
    name: str,
    department: Department,
    team: Team | None = None,
    kind: EmployeeKind | str = EmployeeKind.staff,
) -> Employee:
    number, name = employee_number(number), name.strip()
    if not EMPLOYEE_NUMBER.match(number):
        raise InvalidInput(_l("An employee number is 1 to 32 letters, digits, '-' or '_'."))
    if session.scalar(select(EmployeeNumberChange.id).where(EmployeeNumberChange.old == number).limit(1)):
        raise InvalidInput(_l("The number %(number)s is someone else's (now or before)."), number=number)
    if not name:
        raise InvalidInput(_l("An employee needs a name."))
    try:
        kind = EmployeeKind(kind)
    except ValueError:
        raise InvalidInput(_l("Unknown kind of employee.")) from None
    if team is not None and team.department_id != department.id:
        raise InvalidInput(_l("The team belongs to another department."))
    if session.scalar(select(Employee.id).where(Employee.number == number)) is not None:
        raise InvalidInput(_l("Employee number %(number)s is already taken."), number=number)
    employee = Employee(number=number, name=name, department=department, team=team, kind=kind)
    session.add(employee)
    session.flush()
    return employee


def update_employee(
    session: Session,
    employee: Employee,
    *,
    name: str,
    department: Department,
    team: Team | None,
    kind: EmployeeKind | str,
) -> Employee:
    """Change an employee's name, department, team or kind (the number stays: the ledger knows them by it)."""
    name = name.strip()
    if not name:
        raise InvalidInput(_l("An employee needs a name."))
    try:
        kind = EmployeeKind(kind)
    except ValueError:
        raise InvalidInput(_l("Unknown kind of employee.")) from None
    if team is not None and team.department_id != department.id:
        raise InvalidInput(_l("The team belongs to another department."))
    employee.name, employee.department, employee.team, employee.kind = name[:100], department, team, kind
    session.flush()
    return employee


class EmployeeNumberChange(Base):
    """A number an employee had: the ledger, the claims and the hazards keep "employee:<number>" as written,
    and this says whose it was."""

    __tablename__ = "employee_number_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    old: Mapped[str] = mapped_column(String(32), index=True)
    new: Mapped[str] = mapped_column(String(32))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def change_number(session: Session, employee: Employee, number: str, *, actor: str) -> str | None:
    """Correct an employee's number (HR's file had it wrong); returns the old one, or None if it is the same.

    Refused when another employee has it now or had it (history under it would name two people)."""
    new = employee_number(number)
    if not EMPLOYEE_NUMBER.match(new):
        raise InvalidInput(_l("An employee number is 1 to 32 letters, digits, '-' or '_'."))
    old = employee.number
    if new == old:
        return None
    taken = session.scalar(select(Employee.name).where(Employee.number == new, Employee.id != employee.id))
    had = session.scalar(
        select(EmployeeNumberChange.id).where(
            EmployeeNumberChange.old == new, EmployeeNumberChange.employee_id != employee.id
        )
    )
    if taken is not None or had is not None:
        raise InvalidInput(_l("The number %(number)s is someone else's (now or before)."), number=new)
    session.add(EmployeeNumberChange(employee_id=employee.id, old=old, new=new, changed_by=actor[:64]))
    employee.number = new
    employee.reporter_token = None  # the phone signs in again, with the new number
    session.flush()
    return old


CARD_URL_PART = "/c/"  # a card's QR code reads http(s)://server/c/<token> (kiosk/spot.py)


def new_card_token() -> str:
    # 128 random bits, URL-safe: at a million guesses a second an attacker would need ~10^25 years to
    # hit one of 10,000 live cards, so a token cannot be guessed in any practical number of tries.
    return secrets.token_urlsafe(16)


def normalise_card_code(kind: CardKind, code: str) -> str:
    code = code.strip()
    if kind is CardKind.rfid:
        code = code.upper().replace(":", "").replace(" ", "")
        if not RFID_PATTERN.match(code):
            raise InvalidInput(_l("An RFID card UID is 8 to 32 hexadecimal digits."))
    return code


def issue_card(
    session: Session, employee: Employee, kind: CardKind | str = CardKind.qr, *, actor: str, uid: str = ""
) -> Card:
    """A new QR card (fresh random token) or the registration of an RFID card's UID."""
    employee.ensure_active()
    kind = CardKind(kind)
    code = new_card_token() if kind is CardKind.qr else normalise_card_code(kind, uid)
    clash = session.scalar(select(Card.id).where(Card.kind == kind, Card.code == code, Card.revoked_at.is_(None)))
    if clash is not None:
        raise InvalidInput(_l("This card is already registered to someone."))
    card = Card(employee=employee, kind=kind, code=code, issued_by=actor)
    session.add(card)
    session.flush()
    return card


def issue_missing_cards(session: Session, employees: Select[Any], *, actor: str, limit: int = 5000) -> list[Card]:
    """A QR card for each working employee of ``employees`` (a query of them) who has no working card, in
    one go: the first day's sixty, or a department's newcomers. Their rows are locked first and the cards they
    hold read afresh, so a second click at once issues nobody a second card."""
    ids = list(
        session.scalars(
            employees.with_only_columns(Employee.id)
            .where(Employee.active.is_(True))
            .order_by(Employee.id)
            .limit(limit + 1)
        )
    )
    if len(ids) > limit:
        raise InvalidInput(_l("At most %(n)s employees at once: narrow the list."), n=limit)
    if not ids:
        return []
    locked = session.scalars(select(Employee).where(Employee.id.in_(ids)).order_by(Employee.id).with_for_update()).all()
    holding = set(session.scalars(select(Card.employee_id).where(Card.employee_id.in_(ids), Card.revoked_at.is_(None))))
    return [issue_card(session, e, CardKind.qr, actor=actor) for e in locked if e.id not in holding and e.active]


def revoke_card(session: Session, card: Card, *, actor: str, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_l("Say why the card is revoked."))
    if not card.active:
        raise InvalidInput(_l("This card is already revoked."))
    card.revoked_at, card.revoked_by, card.revoke_reason = utcnow(), actor, reason[:200]
    session.flush()


def reissue_card(session: Session, card: Card, *, actor: str, reason: str, uid: str = "") -> Card:
    """Revoke ``card`` (if it still works) and give its holder a new one of the same kind."""
    if card.active:
        revoke_card(session, card, actor=actor, reason=reason)
    return issue_card(session, card.employee, card.kind, actor=actor, uid=uid)


# Wrong passwords: per account (a guesser on one name) and per address (one machine trying many names). The
# tries are counted in the database (models/tries.py), so every gunicorn worker sees the same count.
SIGN_IN_TRIES, SIGN_IN_FROM_TRIES = "sign_in", "sign_in_from"
SIGN_IN_LIMIT, SIGN_IN_FROM_LIMIT, SIGN_IN_LOCK_MINUTES = 10, 30, 15
# An unknown name is checked against this hash, so that it costs what a known one costs: the answer's time
# does not tell whether a user name exists.
_NOBODY_HASH = generate_password_hash(secrets.token_hex(16))


def authenticate_staff(session: Session, username: str, password: str, *, address: str) -> StaffUser | None:
    """The active staff account with this user name and password, or None (the same for either mistake).

    Raises SignInLocked after too many wrong tries at this name or from this address (``address``: the
    client's, as the proxy reports it)."""
    name = username.strip()[:64]
    user: StaffUser | None = session.scalar(select(StaffUser).where(StaffUser.username == name))
    known = user.password_hash if user is not None else _NOBODY_HASH

    def right() -> StaffUser | None:
        matches = check_password_hash(known, password)
        return user if matches and user is not None and user.active else None

    def for_name() -> StaffUser | None:
        return tries.attempt(
            session,
            SIGN_IN_TRIES,
            name.lower(),
            right,
            limit=SIGN_IN_LIMIT,
            lock_minutes=SIGN_IN_LOCK_MINUTES,
            locked=SignInLocked(),
        )

    return tries.attempt(
        session,
        SIGN_IN_FROM_TRIES,
        address or "-",
        for_name,
        limit=SIGN_IN_FROM_LIMIT,
        lock_minutes=SIGN_IN_LOCK_MINUTES,
        locked=SignInLocked(),
        clears=False,  # a right sign-in of one's own does not wipe the wrong ones at other names
    )


def staff_account_of(session: Session, employee: Employee) -> StaffUser | None:
    """The active staff account an employee holds, if any (a storekeeper opens staff mode with their card)."""
    return session.scalar(select(StaffUser).where(StaffUser.employee_id == employee.id, StaffUser.active.is_(True)))


def identify_card(session: Session, scanned: str) -> Employee:
    """The employee a scanned code belongs to.

    Scanners type the code and Enter; some add a prefix or suffix, and an active Chinese input method
    may turn the letters full-width. Both are undone before the look-up.
    """
    code = clean_scan(scanned)
    if not code:
        raise UnknownCard()
    cards = session.scalars(
        select(Card)
        .options(joinedload(Card.employee).joinedload(Employee.department))
        .where(Card.code.in_({code, code.upper().replace(":", "")}))
        .order_by(Card.revoked_at)
    ).all()
    live = [c for c in cards if c.active]
    if live:
        employee = live[0].employee
        employee.ensure_active()
        return employee
    if cards:
        raise CardRevoked()
    raise UnknownCard()


def clean_scan(scanned: str) -> str:
    """What a scanner typed, without the noise of an input method or the scanner's own prefix/suffix."""
    # Full-width ASCII (U+FF01..U+FF5E) back to ASCII, then drop whitespace and control characters.
    text = "".join(chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else ch for ch in scanned)
    text = "".join(ch for ch in text if ch.isprintable() and not ch.isspace())
    if CARD_URL_PART in text:  # a card's QR is also its on-the-spot award address: keep the token
        text = text.rsplit(CARD_URL_PART, 1)[1].split("?", 1)[0].strip("/")
    return text[:64]


def set_pin(session: Session, employee: Employee, pin: str) -> None:
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise InvalidInput(_l("A PIN is 4 to 8 digits."))
    employee.pin_hash = generate_password_hash(pin)
    employee.reporter_token = None  # phones that remembered the holder of the old PIN forget them
    session.flush()
    tries.clear(session, PIN_TRIES, employee.id)
    tries.clear(session, PIN_PHONE_TRIES, employee.number)  # a new PIN lifts the phone's lock too


def pins_chosen_at_kiosk(session: Session) -> bool:
    """Whether employees without a PIN choose their own at the kiosk, their card scanned (pin_self_set)."""
    return bool(get_setting(session, "pin_self_set") == "card")


def may_choose_pin(session: Session, employee: Employee) -> None:
    """Raise unless the employee may choose their PIN at the kiosk: the setting allows it and they have none (a
    card in someone else's hand must not change a PIN)."""
    if not pins_chosen_at_kiosk(session):
        raise Forbidden(_l("Ask the points administrator to set your PIN."))
    if employee.pin_hash is not None:
        raise Forbidden(_l("You have a PIN already. To change it, ask the points administrator."))


def choose_pin(session: Session, employee: Employee, pin: str, again: str) -> None:
    """An employee without a PIN chooses their own (at the kiosk, their card scanned), typed twice; one who has
    a PIN asks the points administrator for a new one."""
    may_choose_pin(session, employee)
    if not PIN_PATTERN.fullmatch(pin or ""):
        raise InvalidInput(_l("A PIN is 4 to 8 digits."))
    if pin != (again or ""):
        raise InvalidInput(_l("The two PINs are not the same. Type it twice, the same both times."))
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise InvalidInput(_l("Choose a PIN that is not easy to guess (not 1111, not 1234)."))
    set_pin(session, employee, pin)


def check_pin(session: Session, employee: Employee, pin: str) -> None:
    """Raise unless ``pin`` is the employee's PIN. Every try counts, also when the request then fails, and
    the PIN locks for a while after the ``pin_max_tries`` setting's number of wrong ones (models/tries.py)."""
    if employee.pin_hash is None:
        raise WrongPin(_l("No PIN has been set for this employee. Ask the points administrator."))
    pin_hash = employee.pin_hash
    right = tries.attempt(
        session,
        PIN_TRIES,
        employee.id,
        lambda: check_password_hash(pin_hash, pin or ""),
        limit=get_setting(session, "pin_max_tries"),
        lock_minutes=get_setting(session, "pin_lock_minutes"),
        locked=PinLocked(),
    )
    if not right:
        raise WrongPin()


# The phone's PIN tries: per typed number, whether anyone has it or not (so that a lock tells nothing), and
# per address (one phone trying many numbers). They are not the kiosk's count: guessing on the Wi-Fi cannot
# lock an employee out of the counter.
PIN_PHONE_TRIES, PIN_FROM_TRIES, PIN_FROM_LIMIT, PIN_FROM_LOCK_MINUTES = "pin_phone", "pin_from", 30, 15


def employee_by_pin(session: Session, number: str, pin: str, *, address: str) -> Employee:
    """The active employee with this number and PIN, for a phone that signs in from anywhere on the network.

    An unknown number, a leaver, no PIN set and a wrong PIN get one answer (the same work, the same words, the
    same lock after the same number of tries), so a guesser cannot sort numbers that exist from those that do
    not; the tries are kept although the request fails."""
    wanted, pin = employee_number(number), (pin or "").strip()

    def right() -> Employee | None:
        employee = session.scalar(select(Employee).where(Employee.number == wanted)) if wanted else None
        known = employee.pin_hash if employee is not None and employee.active and employee.pin_hash else None
        matches = check_password_hash(known or _NOBODY_HASH, pin)  # costs what a real check costs
        return employee if matches and known else None

    def for_number() -> Employee | None:
        return tries.attempt(
            session,
            PIN_PHONE_TRIES,
            wanted or "-",
            right,
            limit=get_setting(session, "pin_max_tries"),
            lock_minutes=get_setting(session, "pin_lock_minutes"),
            locked=PinLocked(),
        )

    found = tries.attempt(
        session,
        PIN_FROM_TRIES,
        address or "-",
        for_number,
        limit=PIN_FROM_LIMIT,
        lock_minutes=PIN_FROM_LOCK_MINUTES,
        locked=PinLocked(),
        clears=False,  # one's own right PIN does not wipe the wrong ones at other numbers
    )
    if found is None:
        raise WrongPin(_l("The employee number or the PIN is not correct."))
    return found


def find_employee(session: Session, number: str) -> Employee:
    employee = session.scalar(select(Employee).where(Employee.number == employee_number(number)))
    if employee is None:
        raise NotFound(_l("No employee with number %(number)s."), number=number.strip()[:32])
    return employee


def _role_set(roles: list[Role] | list[str]) -> list[Role]:
    try:
        role_set = sorted({Role(r) for r in roles})
    except ValueError:
        raise InvalidInput(_l("Unknown role.")) from None
    if not role_set:
        raise InvalidInput(_l("A staff account needs at least one role."))
    return role_set


def _password_hash(password: str) -> str:
    if len(password) < 8 or len(password) > 200:
        raise InvalidInput(_l("A password has at least 8 characters."))
    return generate_password_hash(password)


def create_staff(
    session: Session,
    *,
    username: str,
    name: str,
    password: str,
    roles: list[Role] | list[str],
    employee: Employee | None = None,
) -> StaffUser:
    username = username.strip()
    if not re.match(r"^[A-Za-z0-9_.-]{2,64}$", username):
        raise InvalidInput(_l("A user name is 2 to 64 letters, digits, '.', '-' or '_'."))
    role_set, password_hash = _role_set(roles), _password_hash(password)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise InvalidInput(_l("User name %(username)s is already taken."), username=username)
    user = StaffUser(
        username=username,
        name=name.strip()[:100] or username,
        password_hash=password_hash,
        roles_text=",".join(role_set),
        employee_id=employee.id if employee else None,
    )
    session.add(user)
    session.flush()
    return user


def update_staff(
    session: Session,
    user: StaffUser,
    *,
    name: str,
    roles: list[Role] | list[str],
    active: bool,
    employee: Employee | None,
    by: StaffUser,
) -> StaffUser:
    """Change an account's name, roles, linked employee or whether it may sign in. An admin cannot take
    their own admin role away or switch their own account off (someone must always be able to sign in)."""
    role_set = _role_set(roles)
    if user.id == by.id and (Role.admin not in role_set or not active):
        raise InvalidInput(_l("You cannot take away your own admin role or switch off your own account."))
    if user.active and not active:
        user.end_sessions()
    user.name, user.roles_text, user.active = name.strip()[:100] or user.username, ",".join(role_set), active
    user.employee_id = employee.id if employee else None
    session.flush()
    return user


def set_password(session: Session, user: StaffUser, password: str) -> None:
    """A new password; it ends the account's open sessions (whoever knew the old one is signed out)."""
    user.password_hash = _password_hash(password)
    user.end_sessions()
    session.flush()


def actor_name(session: Session, actor: str) -> str:
    """An actor as a person reads it (the ledger, claims, hazards and the audit log keep "staff:wang",
    "employee:E00070", "kiosk:counter-1", "system", "cli:close-year", "anonymous")."""
    kind, _sep, key = actor.partition(":")
    if kind == "staff" and key:
        staff = session.scalar(select(StaffUser.name).where(StaffUser.username == key))
        return str(staff) if staff else str(_l("a former staff account"))
    if kind == "employee" and key:
        name = session.scalar(select(Employee.name).where(Employee.number.in_({key, employee_number(key)})))
        if name:
            return f"{name}（{key}）"
        renumbered = session.execute(  # a number they had before it was corrected
            select(Employee.name, Employee.number)
            .join(EmployeeNumberChange, EmployeeNumberChange.employee_id == Employee.id)
            .where(EmployeeNumberChange.old.in_({key, employee_number(key)}))
            .limit(1)
        ).first()
        return f"{renumbered[0]}（{renumbered[1]}）" if renumbered else key
    if kind == "kiosk" and key:
        return str(_l("kiosk %(name)s", name=key))
    if actor == "anonymous":
        return str(_l("anonymous"))
    if kind == "cli" or actor == "system":
        return str(_l("the system (automatic)"))
    return actor


def actor_employee(session: Session, actor: str) -> int | None:
    """The employee an actor is, where it is one: a staff account linked to its employee, or an employee by
    their number (one they have or had). None for a kiosk, the system, or a staff account of nobody on the
    roster."""
    kind, _sep, key = actor.partition(":")
    if kind == "staff" and key:
        return session.scalar(select(StaffUser.employee_id).where(StaffUser.username == key))
    if kind == "employee" and key:
        numbers = {key, employee_number(key)}
        found = session.scalar(select(Employee.id).where(Employee.number.in_(numbers)))
        if found is None:
            found = session.scalar(
                select(EmployeeNumberChange.employee_id).where(EmployeeNumberChange.old.in_(numbers)).limit(1)
            )
        return found
    return None


def same_person(session: Session, actor: str, other: str) -> bool:
    """Whether two actors are one person: the same account, or a staff account and the employee it belongs to."""
    if actor == other:
        return True
    mine = actor_employee(session, actor)
    return mine is not None and mine == actor_employee(session, other)
