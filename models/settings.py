"""The scheme's numbers, kept as settings in the database with the seed's values as defaults.

Seed 000 leaves these to each enterprise (yearly cap "e.g. 2,000", reset or carry-over, review within
3 working days, ...). A setting not yet stored reads as its default; writing one validates it first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import String, Text, event, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from . import clock
from .base import Base, upsert_insert, whole_number
from .errors import InvalidInput
from .i18n import lazy_gettext as _l


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON


@dataclass(frozen=True)
class SettingSpec:
    default: Any
    label: Any
    choices: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None  # a text setting: the whole value must match this
    hint: Any = None  # for a text setting: how to write it
    check: Any = None  # for a text setting: a function that raises InvalidInput for a value the pattern lets by


def _an_address(value: str) -> None:
    """Refuse an address no browser can open (a bracket left open, a port out of range)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise InvalidInput(_l("This is not an address a phone can open.")) from None


SPECS: dict[str, SettingSpec] = {
    # The enterprise's name as the forms and the notice board print it (填报单位).
    "enterprise_name": SettingSpec(
        "", _l("Name of the enterprise"), pattern=r"[^\x00-\x1f\x7f]{0,100}", hint=_l("up to 100 characters")
    ),
    # Whom to report to and how besides the posters (seed 004: telephone, mailbox, in person), for the board, the
    # phone's report page and the rules.
    "report_channels": SettingSpec(
        "",
        _l("Other ways to report a hazard"),
        pattern=r"[^\x00-\x1f\x7f]{0,200}",
        hint=_l("up to 200 characters, e.g. 安全部电话 0564-1234567，举报信箱在办公楼一楼"),
    ),
    "yearly_cap": SettingSpec(2000, _l("Yearly cap on credited points per person"), minimum=1, maximum=1_000_000),
    # A scheme may cap contractors and temporary workers lower (or higher); 0: the same cap as staff.
    "yearly_cap_contractor": SettingSpec(
        0, _l("Yearly cap for contractors (0: as for staff)"), minimum=0, maximum=1_000_000
    ),
    "yearly_cap_temporary": SettingSpec(
        0, _l("Yearly cap for temporary workers (0: as for staff)"), minimum=0, maximum=1_000_000
    ),
    # trim: credit what is left under the cap; refuse: credit nothing once a claim would pass it.
    "cap_mode": SettingSpec("trim", _l("An award over the yearly cap is"), choices=("trim", "refuse")),
    # expire: unspent points expire on 31 December; carry: they carry over.
    "year_end": SettingSpec("expire", _l("Unspent points at year end"), choices=("expire", "carry")),
    # Carried over, up to this many points a person (0: all); what is above it expires at year end.
    "carry_limit": SettingSpec(
        0, _l("Points a person carries into the next year at most (0: all)"), minimum=0, maximum=1_000_000
    ),
    # The notice on the board and the kiosk in the year's last days, before unspent points expire (0: none).
    "year_end_notice_days": SettingSpec(
        30, _l("Days before the year's end the board and the kiosk warn of expiry"), minimum=0, maximum=120
    ),
    # keep: a leaver's points stay, frozen, and are theirs again if they come back; forfeit: they lapse on leaving.
    "leaver_points": SettingSpec("keep", _l("Points of an employee who leaves"), choices=("keep", "forfeit")),
    # How the public notice board names who redeemed what: masked (张*三) or in full.
    "board_names": SettingSpec("masked", _l("Names on the board's redemption records"), choices=("masked", "full")),
    # A deduction larger than the balance: waive what could not be taken, or carry it to the next awards.
    "deduction_shortfall": SettingSpec(
        "waive", _l("A deduction the balance cannot cover"), choices=("waive", "next_awards")
    ),
    "review_working_days": SettingSpec(3, _l("Working days to review a claim"), minimum=1, maximum=30),
    "notice_days": SettingSpec(3, _l("Days a claim stands in public notice"), minimum=0, maximum=30),
    # Counted in working days by default: a notice must not lapse over a holiday while nobody reads the board.
    "notice_day_kind": SettingSpec("working", _l("The notice's days are"), choices=("working", "calendar")),
    "points_per_yuan": SettingSpec(5, _l("Points per yuan of goods value"), minimum=1, maximum=1000),
    "year_budget_yuan": SettingSpec(
        0, _l("This year's budget for the store's goods (yuan; 0: none set)"), minimum=0, maximum=100_000_000
    ),
    "pin_threshold": SettingSpec(200, _l("Ask for the PIN above this many points"), minimum=0, maximum=1_000_000),
    "kiosk_idle_seconds": SettingSpec(45, _l("Kiosk idle timeout in seconds"), minimum=10, maximum=600),
    "photo_max_mb": SettingSpec(8, _l("Largest photo upload in MB"), minimum=1, maximum=50),
    # Redemption opening hours and days (seed 000: "制定积分兑换日期"). Days are ISO weekdays, 1 = Monday.
    "store_hours": SettingSpec(
        "00:00-24:00",
        _l("Store opening hours"),
        pattern=r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d",
        hint=_l("e.g. 08:00-18:00"),
    ),
    "store_days": SettingSpec(
        "1234567",
        _l("Store opening days"),
        pattern=r"[1-7]{1,7}",
        hint=_l("ISO weekdays, e.g. 135 for Monday, Wednesday, Friday"),
    ),
    # Days the store stays shut although they are opening days (holidays, stock-taking): single days and
    # ranges, in the plant's calendar.
    "store_closed_days": SettingSpec(
        "",
        _l("Days the store is closed"),
        pattern=r"(\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2})?( *, *\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2})?){0,99})?",
        hint=_l("dates and ranges, e.g. 2026-10-01..2026-10-07, 2027-01-01"),
        check=lambda value: closed_days(value),
    ),
    # The scheme's redemption dates (兑换日期), besides the opening days: specific dates and monthly rules (see
    # ``redemption_rules``); empty: every opening day.
    "redemption_dates": SettingSpec(
        "",
        _l("Redemption dates"),
        pattern=r"[0-9a-z, .-]{0,400}",
        hint=_l("empty: every opening day; last-fri: the last Friday of each month; also 1-mon, day-15, 2026-12-24"),
        check=lambda value: redemption_rules(value),
    ),
    # Goods tiers by value in yuan (seed 000: 5-500 yuan in low, mid and high tiers).
    "tier_low_max_yuan": SettingSpec(50, _l("Low tier: goods worth up to (yuan)"), minimum=1, maximum=100_000),
    "tier_mid_max_yuan": SettingSpec(200, _l("Mid tier: goods worth up to (yuan)"), minimum=1, maximum=100_000),
    # The receipt printer (until each kiosk names its own): see printer/backends.py for the URIs.
    "printer_uri": SettingSpec(
        "file://receipts",
        _l("Receipt printer"),
        pattern=r"(file|tcp|usb|serial|cups|dummy)://\S*",
        hint=_l("file://receipts, tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0, cups://QUEUE"),
    ),
    "paper_mm": SettingSpec("58", _l("Receipt paper width (mm)"), choices=("58", "80")),
    "printer_encoding": SettingSpec("gb18030", _l("Printer text encoding"), choices=("gb18030", "magic")),
    # An employee without a PIN chooses it at the kiosk, with their card in hand (the first day's sixty); "no":
    # only the points administrator sets PINs.
    "pin_self_set": SettingSpec("card", _l("An employee without a PIN"), choices=("card", "admin")),
    # The safety officer may also do the first day's card and PIN work (an enterprise without a storekeeper
    # yet, or whose officer runs the whole set-up); by default cards are the storekeeper's, PINs the admin's.
    "officer_cards_pins": SettingSpec(
        "no", _l("The safety officer may also issue cards and set PINs"), choices=("no", "yes")
    ),
    "pin_max_tries": SettingSpec(5, _l("Wrong PINs before a lock"), minimum=1, maximum=20),
    "pin_lock_minutes": SettingSpec(15, _l("Minutes a PIN stays locked"), minimum=1, maximum=1440),
    # The address phones reach the server at, printed in the posters' QR codes; empty: the address the
    # back office was opened with.
    "public_url": SettingSpec(
        "",
        _l("Address of the server for phones (QR posters)"),
        pattern=r"(https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~/-]*)?)?",
        hint=_l("e.g. http://192.168.1.20 or https://mart.plant.local; empty: the address in use"),
        check=_an_address,
    ),
    "hazard_verify_working_days": SettingSpec(3, _l("Working days to verify a hazard report"), minimum=1, maximum=30),
    "hazard_reward_general": SettingSpec(
        20, _l("Reward for a valid general hazard (points)"), minimum=0, maximum=10_000
    ),
    "hazard_reward_major": SettingSpec(50, _l("Reward for a valid major hazard (points)"), minimum=0, maximum=10_000),
    # Separation of duties: whoever recorded a hazard's rectification re-inspects and closes (销号) it too, or not.
    "close_own_rectification": SettingSpec(
        "no", _l("Whoever recorded a rectification may also close the hazard"), choices=("no", "yes")
    ),
    "hazard_duty_percent": SettingSpec(
        50, _l("Reward rate when the hazard lay within the reporter's own duties (%)"), minimum=0, maximum=100
    ),
}


# The settings page in sections, in the order an administrator thinks of them.
GROUPS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (_l("The enterprise"), ("enterprise_name", "report_channels")),
    (
        _l("Points and the yearly cap"),
        (
            "yearly_cap",
            "yearly_cap_contractor",
            "yearly_cap_temporary",
            "cap_mode",
            "year_end",
            "carry_limit",
            "year_end_notice_days",
            "leaver_points",
            "deduction_shortfall",
        ),
    ),
    (_l("Claims: review and public notice"), ("review_working_days", "notice_days", "notice_day_kind", "photo_max_mb")),
    (
        _l("Hazard reports and their rewards"),
        (
            "hazard_verify_working_days",
            "hazard_reward_general",
            "hazard_reward_major",
            "hazard_duty_percent",
            "close_own_rectification",
            "public_url",
        ),
    ),
    (
        _l("The store: prices, tiers, budget, opening"),
        (
            "points_per_yuan",
            "tier_low_max_yuan",
            "tier_mid_max_yuan",
            "year_budget_yuan",
            "store_hours",
            "store_days",
            "store_closed_days",
            "redemption_dates",
        ),
    ),
    (
        _l("The kiosk and PINs"),
        (
            "kiosk_idle_seconds",
            "pin_threshold",
            "pin_self_set",
            "officer_cards_pins",
            "pin_max_tries",
            "pin_lock_minutes",
        ),
    ),
    (_l("The receipt printer"), ("printer_uri", "paper_mm", "printer_encoding")),
    (_l("The notice board"), ("board_names",)),
)

# What a person reads for each choice of a setting with choices.
CHOICE_LABELS = {
    "trim": _l("cut to what is left under the cap"),
    "refuse": _l("refused whole"),
    "expire": _l("expire on 31 December"),
    "carry": _l("carry over to the next year"),
    "masked": _l("masked, e.g. 张*三"),
    "full": _l("in full"),
    "keep": _l("kept, frozen (theirs again if they come back)"),
    "forfeit": _l("forfeited on leaving (a ledger entry)"),
    "waive": _l("recorded in full, only what the balance holds is taken"),
    "next_awards": _l("recorded in full, the rest taken from the next awards"),
    "working": _l("working days (holidays not counted)"),
    "calendar": _l("calendar days"),
    "58": _l("58 mm (32 columns)"),
    "80": _l("80 mm (48 columns)"),
    "no": _l("no"),
    "yes": _l("yes"),
    "card": _l("chooses it at the kiosk, with their card scanned"),
    "admin": _l("asks the points administrator to set it"),
    "gb18030": _l("GB18030 (Chinese printers)"),
    "magic": _l("code pages (printers without Chinese)"),
}


def yearly_cap(session: Session, kind: object) -> int:
    """The yearly cap of an employee of ``kind`` (their EmployeeKind's value): their own where the scheme sets
    one, else the cap for everyone."""
    own = get_setting(session, f"yearly_cap_{kind}") if f"yearly_cap_{kind}" in SPECS else 0
    return int(own or get_setting(session, "yearly_cap"))


def get_setting(session: Session, key: str) -> Any:
    return all_settings(session)[key]


BUDGETS = "budgets"  # in all_settings: each year's budget as it stood when last set in that year
_BUDGET_KEY = "budget:"  # its rows: "budget:2026"


def budget_of(values: dict[str, Any], year: int) -> int:
    """The store's budget for ``year`` in yuan, 0 when none is known: the one last set in that year (the setting
    is kept for the year with each change), so a year's figures are read against its own budget for good, and a
    year whose budget was never set against none, even while last year's stands in the settings."""
    return int(values[BUDGETS].get(year, 0))


def all_settings(session: Session) -> dict[str, Any]:
    """Every setting, read once per transaction: a kiosk screen asks for several, and they change rarely.

    The copy is kept on the session and dropped when its transaction ends (commit or rollback) or a setting
    is written through it. Between transactions this process shares what it read for a few seconds
    (``SHARED_SECONDS``): a change made here is seen at once, one made by another server process within
    those seconds.
    """
    cached = session.info.get(_CACHE)
    if cached is None:
        bind = session.get_bind()
        database = str(bind.engine.url)
        read_at, shared = _SHARED.get(database, (0.0, None))
        if shared is None or time.monotonic() - read_at > SHARED_SECONDS:
            stored = {s.key: json.loads(s.value) for s in session.scalars(select(Setting))}
            shared = {key: stored.get(key, spec.default) for key, spec in SPECS.items()}
            shared[BUDGETS] = {
                int(key.removeprefix(_BUDGET_KEY)): int(value)
                for key, value in stored.items()
                if key.startswith(_BUDGET_KEY) and key.removeprefix(_BUDGET_KEY).isdigit()
            }
            # The settings page shows this year's budget: none yet in a new year, until it is set.
            shared["year_budget_yuan"] = shared[BUDGETS].get(clock.today().year, 0)
            _SHARED[database] = (time.monotonic(), shared)
        cached = session.info[_CACHE] = dict(shared)
    return cached


_CACHE, _WRITTEN = "mart.settings", "mart.settings_written"
SHARED_SECONDS = 5.0
_SHARED: dict[str, tuple[float, dict[str, Any]]] = {}


def forget_shared_settings() -> None:
    """Make the next transaction of this process read the settings from the database."""
    _SHARED.clear()


@event.listens_for(Session, "after_transaction_end")
def _forget_settings(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: the next one reads afresh
        session.info.pop(_CACHE, None)
        if session.info.pop(_WRITTEN, False):  # what others of this process read meanwhile is stale now
            forget_shared_settings()


def closed_days(value: str) -> list[tuple[dt.date, dt.date]]:
    """The store_closed_days setting as (first, last) day pairs; a day that is no calendar day, or a range
    that ends before it begins, is refused in words."""
    spans = []
    for part in filter(None, (piece.strip() for piece in value.split(","))):
        first_text, _, last_text = part.partition("..")
        try:
            first = dt.date.fromisoformat(first_text)
            last = dt.date.fromisoformat(last_text) if last_text else first
        except ValueError:
            raise InvalidInput(_l("%(part)s is not a day of the calendar."), part=part) from None
        if last < first:
            raise InvalidInput(_l("%(part)s ends before it begins."), part=part)
        spans.append((first, last))
    return spans


def set_setting(session: Session, key: str, value: Any) -> Any:
    """Validate and store one setting; returns the stored value."""
    spec = SPECS.get(key)
    if spec is None:
        raise InvalidInput(_l("Unknown setting: %(key)s"), key=key)
    if spec.pattern is not None:
        value = str(value).strip()
        if not re.fullmatch(spec.pattern, value, flags=re.ASCII):
            raise InvalidInput(_l("%(key)s: %(hint)s"), key=spec.label, hint=spec.hint)
        if spec.check is not None:
            spec.check(value)
    elif spec.choices is not None:
        if value not in spec.choices:
            raise InvalidInput(_l("%(key)s: choose one from the list."), key=spec.label)
    else:
        value = whole_number(str(value))
        if value is None:
            raise InvalidInput(_l("%(key)s must be a whole number."), key=spec.label)
        if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
            raise InvalidInput(
                _l("%(key)s must be between %(min)s and %(max)s."), key=spec.label, min=spec.minimum, max=spec.maximum
            )
    _store(session, key, spec.default, value)
    if key == "year_budget_yuan":  # kept for the year too: next year's screens read this year's budget from it
        _store(session, f"{_BUDGET_KEY}{clock.today().year}", 0, value)
    session.info.pop(_CACHE, None)
    session.info[_WRITTEN] = True
    forget_shared_settings()
    return value


def _store(session: Session, key: str, default: Any, value: Any) -> None:
    # The first save of a setting makes its row (holding the default, as it read before): by an insert that
    # gives way to a twin, so that admins saving it at once take turns on the row instead of one failing.
    created = upsert_insert(session, Setting.__table__).values(key=key, value=json.dumps(default))
    session.execute(created.on_conflict_do_nothing(index_elements=["key"]))
    row = session.get(Setting, key, with_for_update=True, populate_existing=True)
    assert row is not None
    row.value = json.dumps(value)  # an update the audit log sees, from the old value to the new
    session.flush()


_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class RedemptionRule:
    """One of the scheme's redemption dates: a date (``on``), a day of each month (``day``), or the n-th (1-5;
    -1: the last) ``weekday`` (0 = Monday) of each month."""

    on: dt.date | None = None
    day: int | None = None
    nth: int | None = None
    weekday: int | None = None

    def matches(self, day: dt.date) -> bool:
        if self.on is not None:
            return day == self.on
        if self.day is not None:
            return day.day == self.day
        if day.weekday() != self.weekday or self.nth is None:
            return False
        if self.nth == -1:
            return (day + dt.timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == self.nth

    def text(self, english: bool) -> str:
        if self.on is not None:
            return self.on.isoformat()
        if self.day is not None:
            return f"day {self.day} of each month" if english else f"每月{self.day}日"
        assert self.weekday is not None and self.nth is not None
        if english:
            which = "last" if self.nth == -1 else ("1st", "2nd", "3rd", "4th", "5th")[self.nth - 1]
            return f"the {which} {_WEEKDAY_NAMES[self.weekday]} of each month"
        which = "最后一个" if self.nth == -1 else f"第{self.nth}个"
        return f"每月{which}星期{'一二三四五六日'[self.weekday]}"


def redemption_rules(value: str) -> list[RedemptionRule]:
    """The redemption_dates setting read: "last-fri, 1-mon, day-15, 2026-12-24"; a part it does not know is
    refused in words."""
    found = []
    for part in filter(None, (piece.strip() for piece in value.split(","))):
        nth_text, _, key = part.partition("-")
        if key in _WEEKDAY_KEYS and nth_text in ("last", "1", "2", "3", "4", "5"):
            nth = -1 if nth_text == "last" else int(nth_text)
            found.append(RedemptionRule(nth=nth, weekday=_WEEKDAY_KEYS.index(key)))
        elif nth_text == "day" and key.isdigit() and 1 <= int(key) <= 28:
            found.append(RedemptionRule(day=int(key)))
        else:
            try:
                found.append(RedemptionRule(on=dt.date.fromisoformat(part)))
            except ValueError:
                raise InvalidInput(
                    _l("%(part)s is not a redemption date: write last-fri, 1-mon, day-15 or 2026-12-24."), part=part
                ) from None
    return found
