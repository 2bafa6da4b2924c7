"""The store: goods and their stock, and redemption at the counter.

Seed 000 (二(二)2, 三(二)): goods are daily goods, protective equipment and special goods worth 5-500 yuan,
in low, mid and high tiers, each marked with its points price; the employee picks goods, the administrator
checks the balance, hands the goods over and updates the ledger.

Every change of stock is a ``StockMovement`` with a reason and a person; stock never goes below zero.
A redemption takes points (one ledger entry) and stock (one movement a line) in one transaction, or
nothing. It is idempotent on the request key the kiosk sends with each confirmation. A cancelled
redemption is put right by a refund entry and movements back, never by editing history.

Lock order, shared with models/ledger.py: the employee row, then goods rows by id, then the chain head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import CheckConstraint, DateTime, Enum, ForeignKey, Index, Integer, Select, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from . import clock, ledger, memos
from .base import Base, LabelledEnum, clean_text, half_width
from .claims import suspended_query
from .clock import utcnow
from .errors import (
    Conflict,
    InsufficientPoints,
    InvalidInput,
    NotFound,
    OutOfStock,
    RedemptionSuspended,
    StoreClosed,
)
from .i18n import lazy_gettext as _l
from .people import Employee, check_pin, clean_scan
from .photos import clean_image, save_jpeg, upload_limit
from .settings import all_settings, closed_days, get_setting, redemption_rules


class GoodsCategory(LabelledEnum):
    daily = "daily", _l("Daily goods")
    protective = "protective", _l("Protective equipment")
    special = "special", _l("Special goods")


class Tier(LabelledEnum):
    low = "low", _l("Low tier")
    mid = "mid", _l("Mid tier")
    high = "high", _l("High tier")


class RedemptionStatus(LabelledEnum):
    confirmed = "confirmed", _l("Waiting to be handed out")
    handed_out = "handed_out", _l("Handed out")
    cancelled = "cancelled", _l("Cancelled")
    returned = "returned", _l("Returned")


# Undone: the goods are back on the shelf and the points back with their owner (before or after hand-out).
UNDONE = (RedemptionStatus.cancelled, RedemptionStatus.returned)


class Goods(Base):
    __tablename__ = "goods"
    __table_args__ = (CheckConstraint("stock >= 0", name="stock_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[GoodsCategory] = mapped_column(Enum(GoodsCategory, native_enum=False, length=16))
    value_fen: Mapped[int] = mapped_column(Integer)  # what the goods are worth, in fen (1 yuan = 100 fen)
    # A points price set by hand; None means value x the points_per_yuan setting.
    price_override: Mapped[int | None] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    low_stock: Mapped[int] = mapped_column(Integer, default=5)  # at or below this, the goods are flagged
    picture: Mapped[str | None] = mapped_column(String(100))  # a file name under the upload folder
    # The product's own barcode (EAN-13) or the supplier's code: a delivery's lines are found by scanning it.
    barcode: Mapped[str | None] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def value_yuan(self) -> str:
        return f"{self.value_fen / 100:.2f}".rstrip("0").rstrip(".")


class MovementReason(LabelledEnum):
    """Why stock changed: every movement has one (and a person)."""

    restock = "restock", _l("Restock")
    adjust = "adjust", _l("Adjustment")
    stock_take = "count", _l("Stock-take")  # stored as "count" (str.count is taken)
    redemption = "redemption", _l("Redemption")
    cancel = "cancel", _l("Cancelled redemption")
    returned = "return", _l("Goods returned")


# What a storekeeper may post by hand on the goods page; the others come from redemptions and stock-takes.
BY_HAND = (MovementReason.restock, MovementReason.adjust)


class StockMovement(Base):
    __tablename__ = "stock_movement"
    __table_args__ = (Index("ix_stock_movement_goods", "goods_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goods_id: Mapped[int] = mapped_column(ForeignKey("goods.id"))
    delta: Mapped[int] = mapped_column(Integer)
    stock_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[MovementReason] = mapped_column(
        Enum(MovementReason, native_enum=False, length=32, values_callable=lambda kinds: [k.value for k in kinds])
    )
    note: Mapped[str] = mapped_column(String(200), default="")
    ref_id: Mapped[int | None] = mapped_column(Integer)  # the redemption, for redemption and cancel
    request_key: Mapped[str | None] = mapped_column(String(32), index=True)  # a delivery's form, posted once
    unit_cost_fen: Mapped[int | None] = mapped_column(Integer)  # a restock's purchase cost of one piece
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Redemption(Base):
    __tablename__ = "redemption"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The slip's number is DH-<the plant's year>-<id>, worked out from the row (no second write on insert).
    # Rows written before kept it in this column, which stays so that their slips still scan.
    stored_number: Mapped[str | None] = mapped_column("number", String(20), unique=True)
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    cart_digest: Mapped[str] = mapped_column(String(64))
    # None: an anonymous reward's claim code was spent (a bearer voucher): the redemption names nobody.
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    bearer_check: Mapped[str | None] = mapped_column(String(64))  # which code paid, to that code alone
    kiosk: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    status: Mapped[RedemptionStatus] = mapped_column(
        Enum(RedemptionStatus, native_enum=False, length=16), default=RedemptionStatus.confirmed
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    handed_out_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    handed_out_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    employee: Mapped[Employee | None] = relationship()
    lines: Mapped[list[RedemptionLine]] = relationship(back_populates="redemption", order_by="RedemptionLine.id")

    @property
    def number(self) -> str:
        return self.stored_number or f"DH-{clock.local_year(self.created_at)}-{self.id:06d}"


class RedemptionLine(Base):
    __tablename__ = "redemption_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    redemption_id: Mapped[int] = mapped_column(ForeignKey("redemption.id"), index=True)
    goods_id: Mapped[int] = mapped_column(ForeignKey("goods.id"))
    name: Mapped[str] = mapped_column(String(100))  # as it was at the time
    quantity: Mapped[int] = mapped_column(Integer)
    unit_points: Mapped[int] = mapped_column(Integer)
    unit_value_fen: Mapped[int | None] = mapped_column(Integer)  # the goods' value at the time, in fen

    redemption: Mapped[Redemption] = relationship(back_populates="lines")
    goods: Mapped[Goods] = relationship()

    @property
    def points(self) -> int:
        return self.quantity * self.unit_points


# --------------------------------------------------------------------------- prices and tiers


@dataclass(frozen=True)
class Pricing:
    """The settings that price goods and sort them into tiers, read once for a whole shelf."""

    points_per_yuan: int
    low_max_yuan: int
    mid_max_yuan: int

    @classmethod
    def load(cls, session: Session) -> Pricing:
        values = all_settings(session)
        return cls(values["points_per_yuan"], values["tier_low_max_yuan"], values["tier_mid_max_yuan"])

    def price(self, goods: Goods) -> int:
        if goods.price_override is not None:
            return goods.price_override
        # value in fen x points per yuan / 100, rounded up: a price never undercuts the value.
        return -(-goods.value_fen * self.points_per_yuan // 100)

    def tier(self, goods: Goods) -> Tier:
        yuan = goods.value_fen / 100
        if yuan <= self.low_max_yuan:
            return Tier.low
        return Tier.mid if yuan <= self.mid_max_yuan else Tier.high


@dataclass(frozen=True)
class ShelfRow:
    goods: Goods
    tier: Tier
    price: int


def shelf(session: Session, query: Select[Goods], tier: str | None = None) -> list[ShelfRow]:
    """The goods ``query`` selects, each with its tier and points price; only those of ``tier`` when it is one
    (tiers come from the value bands in the settings, so they are sorted here, not in SQL)."""
    pricing = Pricing.load(session)
    rows = [ShelfRow(goods, pricing.tier(goods), pricing.price(goods)) for goods in session.scalars(query)]
    return [row for row in rows if tier not in Tier.__members__ or row.tier.value == tier]


def points_price(session: Session, goods: Goods) -> int:
    return Pricing.load(session).price(goods)


def tier_of(session: Session, goods: Goods) -> Tier:
    return Pricing.load(session).tier(goods)


# --------------------------------------------------------------------------- goods and stock


def save_goods(
    session: Session,
    goods: Goods | None,
    *,
    name: str,
    category: str,
    value_fen: int,
    price_override: int | None = None,
    low_stock: int = 5,
    active: bool = True,
    barcode: str = "",
) -> Goods:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(_l("Goods need a name of up to 100 characters."))
    try:
        category_ = GoodsCategory(category)
    except ValueError:
        raise InvalidInput(_l("Unknown category of goods.")) from None
    if not isinstance(value_fen, int) or not 0 < value_fen <= 10_000_000:
        raise InvalidInput(_l("The value is a positive amount of yuan."))
    if price_override is not None and not 0 < price_override <= 10_000_000:
        raise InvalidInput(_l("A points price is a whole number above zero."))
    if not 0 <= low_stock <= 100_000:
        raise InvalidInput(_l("The low-stock mark is a whole number from 0."))
    code = normalise_barcode(barcode) if barcode.strip() else None
    if code is not None:
        clash = session.scalar(select(Goods.id).where(Goods.barcode == code))
        if clash is not None and (goods is None or clash != goods.id):
            raise InvalidInput(_l("Barcode %(code)s is on other goods already."), code=code)
    if goods is None:
        goods = Goods(stock=0)
        session.add(goods)
    goods.barcode = code
    goods.name, goods.category, goods.value_fen = name, category_, value_fen
    goods.price_override, goods.low_stock, goods.active = price_override, low_stock, active
    session.flush()
    return goods


BARCODE = re.compile(r"[0-9A-Z][0-9A-Z-]{2,31}", flags=re.ASCII)


def normalise_barcode(code: str) -> str:
    """A barcode as scanned or typed: an EAN-13 (its check digit checked, so that a misread is caught) or a
    supplier's code of letters, digits and dashes; spaces and case do not matter."""
    code = "".join((code or "").split()).upper()
    if not BARCODE.fullmatch(code):
        raise InvalidInput(_l("A barcode is 3 to 32 letters, digits or dashes."))
    if len(code) == 13 and code.isdigit():
        check = (10 - sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(code[:12])) % 10) % 10
        if check != int(code[12]):
            raise InvalidInput(_l("%(code)s is not a valid EAN-13 barcode: scan it again."), code=code)
    return code


def find_goods(session: Session, text: str) -> Goods:
    """The goods a delivery line is for: by barcode (scanned), else by a unique part of the name (typed)."""
    text = (text or "").strip()[:100]
    if not text:
        raise InvalidInput(_l("Scan the goods' barcode or type part of its name."))
    digits = "".join(text.split())
    if len(digits) == 13 and digits.isdigit():
        code: str | None = normalise_barcode(digits)  # a misread EAN-13 says so, rather than "not found"
    else:
        try:
            code = normalise_barcode(text)
        except InvalidInput:
            code = None
    if code is not None:
        found = session.scalar(select(Goods).where(Goods.barcode == code))
        if found is not None:
            return found
    named = session.scalars(select(Goods).where(Goods.name.contains(text, autoescape=True)).limit(6)).all()
    if len(named) == 1:
        return named[0]
    if not named:
        raise NotFound(_l("No goods with barcode or name %(text)s."), text=text)
    raise InvalidInput(
        _l("%(text)s matches several goods: %(names)s."), text=text, names="、".join(g.name for g in named[:5])
    )


COST_LIMIT_FEN = 10_000_000  # of one piece: as a goods' value


def check_cost(cost_fen: object) -> int:
    if not isinstance(cost_fen, int) or isinstance(cost_fen, bool) or not 0 <= cost_fen <= COST_LIMIT_FEN:
        raise InvalidInput(_l("A purchase cost is an amount of yuan up to 100000, like 25 or 12.50."))
    return cost_fen


def parse_cost(text: str) -> int:
    """A purchase cost a piece as typed, in fen."""
    try:
        return check_cost(parse_yuan(text))
    except InvalidInput:
        raise InvalidInput(_l("A purchase cost is an amount of yuan up to 100000, like 25 or 12.50.")) from None


def check_delivery(lines: dict[int, int], note: str, costs: dict[int, int] | None = None) -> str:
    """What a delivery needs before it is posted (and before its preview): lines, quantities, a note, and
    costs that are amounts."""
    for cost in (costs or {}).values():
        check_cost(cost)
    note = clean_text(note, 150)
    if not lines:
        raise InvalidInput(_l("The delivery has no lines yet."))
    if not note:
        raise InvalidInput(_l("Give the delivery's note, such as the supplier and its delivery number."))
    for quantity in lines.values():
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= STOCK_LIMIT:
            raise InvalidInput(_l("A quantity is a whole number from 1 to %(n)s.", n=STOCK_LIMIT))
    return note


def goods_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Goods]:
    return _goods_by_id(session, ids)


def receive_delivery(
    session: Session,
    lines: dict[int, int],
    *,
    note: str,
    actor: str,
    request_key: str = "",
    costs: dict[int, int] | None = None,
) -> list[StockMovement]:
    """A delivery (入库单) of many goods, posted in one go: every line a restock with the delivery's note and
    its purchase cost a piece (``costs``, in fen; the goods' value where none is given), or nothing at all.
    ``request_key`` is the form's: a second post of it (a double tap, a replayed cookie) is refused, also when
    both arrive at once (the goods rows are locked before the key is looked for)."""
    note = check_delivery(lines, note, costs)
    locked = _lock_goods(session, sorted(lines))
    if request_key and session.scalar(select(StockMovement.id).where(StockMovement.request_key == request_key[:32])):
        raise Conflict(_l("This delivery was posted already."))
    movements = []
    for goods_id in sorted(lines):
        goods = locked.get(goods_id)
        if goods is None:
            raise NotFound(_l("No such goods."))
        movements.append(
            _move(session, goods, lines[goods_id], reason=MovementReason.restock, actor=actor, note=f"入库单：{note}")
        )
        movements[-1].request_key = request_key[:32] or None
        movements[-1].unit_cost_fen = (costs or {}).get(goods_id, goods.value_fen)
    session.flush()
    return movements


GOODS_PICTURE_SIDE = 480  # a kiosk tile is small; the shelf loads hundreds of them


def set_goods_picture(session: Session, goods: Goods, folder: Path, data: bytes) -> Goods:
    """Give ``goods`` a picture: checked and cleaned like any upload, kept small for the shelf."""
    jpeg, _, _ = clean_image(data, max_bytes=upload_limit(session), long_side=GOODS_PICTURE_SIDE)
    goods.picture = f"{save_jpeg(folder, jpeg)}.jpg"
    session.flush()
    return goods


def _lock_goods(session: Session, ids: Iterable[int]) -> dict[int, Goods]:
    return _goods_by_id(session, ids, lock=True)


def move_stock(
    session: Session,
    goods_id: int,
    delta: int,
    *,
    reason: MovementReason | str,
    actor: str,
    note: str = "",
    ref_id: int | None = None,
    unit_cost_fen: int | None = None,
) -> StockMovement:
    """Change one item's stock by ``delta`` with a reason and a person; never below zero. A restock keeps its
    purchase cost a piece (``unit_cost_fen``; the goods' value when none is given)."""
    try:
        reason = MovementReason(reason)
    except ValueError:
        raise InvalidInput(_l("Choose restock or adjust.")) from None
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise InvalidInput(_l("A stock change is a whole number other than zero."))
    if reason in (MovementReason.adjust, MovementReason.stock_take) and not note.strip():
        raise InvalidInput(_l("Say why the stock is adjusted."))
    if reason is MovementReason.restock and delta < 0:
        raise InvalidInput(_l("A restock adds a quantity above zero."))
    goods = _lock_goods(session, [goods_id]).get(goods_id)
    if goods is None:
        raise NotFound(_l("No such goods."))
    movement = _move(session, goods, delta, reason=reason, actor=actor, note=note, ref_id=ref_id)
    if reason is MovementReason.restock:
        movement.unit_cost_fen = goods.value_fen if unit_cost_fen is None else check_cost(unit_cost_fen)
    session.flush()
    return movement


STOCK_LIMIT = 1_000_000  # of one goods on the shelf: far past any store, far below what the column holds


def _move(
    session: Session,
    goods: Goods,
    delta: int,
    *,
    reason: MovementReason,
    actor: str,
    note: str = "",
    ref_id: int | None = None,
) -> StockMovement:
    if goods.stock + delta < 0:
        raise OutOfStock(_l("%(name)s: only %(stock)s left."), name=goods.name, stock=goods.stock)
    if goods.stock + delta > STOCK_LIMIT:
        raise InvalidInput(_l("At most %(n)s of one goods can be in stock."), n=STOCK_LIMIT)
    goods.stock += delta
    movement = StockMovement(
        goods_id=goods.id,
        delta=delta,
        stock_after=goods.stock,
        reason=reason,
        note=note.strip()[:200],
        ref_id=ref_id,
        actor=actor,
    )
    session.add(movement)  # written with the operation's next flush (a redemption flushes once at its end)
    return movement


# --------------------------------------------------------------------------- redemption

CART_LIMIT = 30  # lines in one cart
QUANTITY_LIMIT = 99


@dataclass(frozen=True)
class RedeemResult:
    redemption: Redemption
    replayed: bool  # the same request came again: nothing new was done


def parse_cart(raw: object) -> dict[int, int]:
    """A cart as the kiosk sends it ({goods id: quantity}), checked: whole numbers, 1-99 of each."""
    if not isinstance(raw, dict) or not raw:
        raise InvalidInput(_l("The cart is empty."))
    if len(raw) > CART_LIMIT:
        raise InvalidInput(_l("Too many different goods in one cart."))
    cart: dict[int, int] = {}
    for key, value in raw.items():
        try:
            goods_id, quantity = int(str(key)), int(str(value))
        except ValueError:
            raise InvalidInput(_l("The cart is not valid.")) from None
        if goods_id <= 0 or not 1 <= quantity <= QUANTITY_LIMIT:
            raise InvalidInput(_l("Each quantity is from 1 to %(max)s."), max=QUANTITY_LIMIT)
        cart[goods_id] = cart.get(goods_id, 0) + quantity
    return cart


@dataclass(frozen=True)
class PricedCart:
    cart: dict[int, int]  # goods id: quantity
    lines: list[tuple[Goods, int, int]]  # goods, quantity, points each
    total: int
    left: int  # the balance after it
    needs_pin: bool


def _goods_by_id(session: Session, ids: Iterable[int], *, lock: bool = False) -> dict[int, Goods]:
    """Goods by id; with ``lock``, row-locked in id order (no deadlock between carts) and read afresh."""
    ids = sorted(set(ids))
    if not ids:
        return {}  # an empty cart asks nothing of the database
    query = select(Goods).where(Goods.id.in_(ids)).order_by(Goods.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return {g.id: g for g in session.scalars(query)}


class Holder(Protocol):
    """Who pays at the kiosk: an employee (``id`` theirs), or the bearer of a claim code (``id`` None, no PIN)."""

    @property
    def id(self) -> int | None: ...

    @property
    def balance(self) -> int: ...


def _priced(session: Session, employee: Holder, cart: dict[int, int], goods: dict[int, Goods]) -> PricedCart:
    pricing = Pricing.load(session)
    lines = [(goods[i], n, pricing.price(goods[i])) for i, n in cart.items() if i in goods]
    total = sum(n * price for _, n, price in lines)
    needs_pin = employee.id is not None and total > get_setting(session, "pin_threshold")
    return PricedCart(cart, lines, total, employee.balance - total, needs_pin)


def price_cart(session: Session, employee: Holder, cart: dict[int, int]) -> PricedCart:
    """A cart at today's prices, against the employee's balance (what the kiosk shows before confirming)."""
    return _priced(session, employee, cart, _goods_by_id(session, cart))


def change_cart(session: Session, employee: Holder, cart: dict[int, int], goods_id: int, delta: int) -> PricedCart:
    """The cart with one more (``delta`` 1), one fewer (-1) or none (0) of ``goods_id``, priced; refused when
    the store is closed (said before a cart is filled, not at the last tap), the goods are gone, the shelf has
    too few, or the points would not reach. The cart given is not changed."""
    if delta > 0 and not store_open(session):
        raise _closed_message(session)
    goods = _goods_by_id(session, {*cart, goods_id})
    item = goods.get(goods_id)
    if item is None or not item.active:
        raise InvalidInput(_l("Some goods in the cart are not offered any more. Start again."))
    quantity = 0 if delta == 0 else cart.get(goods_id, 0) + delta
    if quantity > min(item.stock, QUANTITY_LIMIT):
        raise OutOfStock(_l("%(name)s: only %(stock)s left."), name=item.name, stock=item.stock)
    changed = {k: v for k, v in cart.items() if k != goods_id}
    if quantity > 0:
        changed[goods_id] = quantity
    priced = _priced(session, employee, changed, goods)
    if delta > 0 and priced.left < 0:
        raise InsufficientPoints(
            _l("Not enough points: %(balance)s available, %(needed)s needed."),
            balance=employee.balance,
            needed=priced.total,
        )
    return priced


def _digest(cart: dict[int, int]) -> str:
    return hashlib.sha256(json.dumps(sorted(cart.items())).encode()).hexdigest()


def redemption_day(session: Session, day: dt.date) -> bool:
    """Whether ``day`` is a day of redemption: an opening day, not a closed day, and one of the scheme's
    redemption dates where it sets any."""
    return _redemption_calendar(session)(day)


def _redemption_calendar(session: Session) -> Callable[[dt.date], bool]:
    """The settings that make a day of redemption, read and parsed once, as a test of a day."""
    days = get_setting(session, "store_days")
    closed = closed_days(get_setting(session, "store_closed_days"))
    rules = redemption_rules(get_setting(session, "redemption_dates"))

    def is_one(day: dt.date) -> bool:
        if str(day.isoweekday()) not in days or any(first <= day <= last for first, last in closed):
            return False
        return not rules or any(rule.matches(day) for rule in rules)

    return is_one


def store_open(session: Session, now: dt.datetime | None = None) -> bool:
    """Whether redemption is open at ``now`` (the plant's wall-clock time), by the days, dates and hours settings."""
    now = now or clock.now()
    if not redemption_day(session, now.date()):
        return False
    opens, closes = str(get_setting(session, "store_hours")).split("-")
    hour = now.strftime("%H:%M")
    return opens <= hour < closes


def next_redemption(session: Session, now: dt.datetime | None = None) -> dt.date | None:
    """The next day redemption opens (today if it is still to open or open now); None if none within a year."""
    now = now or clock.now()
    closes = str(get_setting(session, "store_hours")).split("-")[1]
    day = now.date() if now.strftime("%H:%M") < closes else now.date() + dt.timedelta(days=1)
    is_one = _redemption_calendar(session)  # parsed once: the kiosk and the board ask on every screen
    for _ in range(400):
        if is_one(day):
            return day
        day += dt.timedelta(days=1)
    return None


def redemption_words(session: Session, now: dt.datetime | None = None) -> str:
    """When the next redemption is, in words, for the kiosk and the board: "下次兑换：2026-12-25（周五）08:00-18:00"."""
    day = next_redemption(session, now)
    if day is None:
        return str(_l("No redemption date is set for the coming year."))
    hours = get_setting(session, "store_hours")
    return str(_l("Next redemption: %(day)s, %(hours)s", day=clock.date_text(day), hours=hours))


def redeem(
    session: Session,
    employee: Employee,
    cart: dict[int, int],
    *,
    kiosk: str,
    request_key: str,
    pin: str | None = None,
    now: dt.datetime | None = None,
    at: dt.datetime | None = None,
) -> RedeemResult:
    """Spend points on goods: one ledger entry and a stock movement a line, in one transaction.

    The same ``request_key`` with the same cart returns the first redemption (a double tap, a retried
    request); with another cart it is refused. Above the PIN threshold ``pin`` must be the employee's PIN.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", request_key or ""):
        raise InvalidInput(_l("The confirmation is not valid. Start again."))
    digest = _digest(cart)
    locked = ledger.lock_employee(session, employee.id)
    # Under the employee's lock: a twin of this request that got here first has committed by now. A retried
    # request gets the first redemption whatever has changed since (the store closed, a suspension). One
    # statement asks both.
    earlier = select(Redemption.id).where(Redemption.request_key == request_key).scalar_subquery()
    earlier_id, suspended = session.execute(select(earlier, suspended_query(locked.id))).one()
    if earlier_id is not None:
        found = session.get(Redemption, earlier_id)
        assert found is not None
        if found.employee_id != locked.id or found.cart_digest != digest:
            raise Conflict(_l("This confirmation was already used for another cart. Start again."))
        return RedeemResult(found, True)
    locked.ensure_active()
    if suspended:
        raise RedemptionSuspended()
    if not store_open(session, now):
        raise _closed_message(session, now)
    lines = _take(session, cart)
    total = sum(quantity * price for _, quantity, price in lines)
    if total > locked.balance:
        raise InsufficientPoints(
            _l("Not enough points: %(balance)s available, %(needed)s needed."), balance=locked.balance, needed=total
        )
    if total > get_setting(session, "pin_threshold"):
        if not pin:
            raise InvalidInput(_l("Above %(n)s points the PIN is needed."), n=get_setting(session, "pin_threshold"))
        check_pin(session, locked, pin)
    redemption = Redemption(
        request_key=request_key,
        cart_digest=digest,
        employee_id=locked.id,
        kiosk=kiosk,
        points=total,
        balance_after=locked.balance - total,
        created_at=(at or utcnow()).replace(microsecond=0),
    )
    _hand_over(session, redemption, lines)
    names = "、".join(f"{item.name}×{quantity}" for item, quantity, _ in lines)
    ledger.post_entry(
        session,
        locked,
        -total,
        ledger.EntryKind.redemption,
        actor=kiosk,
        ref=("redemption", redemption.id),
        memo=f"{memos.REDEEMED} {names}",
        at=at,
    )
    session.flush()
    return RedeemResult(redemption, False)


Line = tuple["Goods", int, int]  # goods, quantity, points each


def _take(session: Session, cart: dict[int, int], goods: dict[int, Goods] | None = None) -> list[Line]:
    """The cart's goods, locked (unless ``goods`` are, already), checked (offered, in stock) and priced now."""
    goods = _lock_goods(session, cart) if goods is None else goods
    pricing = Pricing.load(session)
    lines = []
    for goods_id, quantity in sorted(cart.items()):
        item = goods.get(goods_id)
        if item is None or not item.active:
            raise InvalidInput(_l("Some goods in the cart are not offered any more. Start again."))
        if item.stock < quantity:
            raise OutOfStock(_l("%(name)s: only %(stock)s left."), name=item.name, stock=item.stock)
        lines.append((item, quantity, pricing.price(item)))
    return lines


def _hand_over(session: Session, redemption: Redemption, lines: list[Line]) -> None:
    """Write a new redemption with its lines, and take its goods off the shelf."""
    session.add(redemption)
    session.flush()
    for item, quantity, price in lines:
        session.add(
            RedemptionLine(
                redemption_id=redemption.id,
                goods_id=item.id,
                name=item.name,
                quantity=quantity,
                unit_points=price,
                unit_value_fen=item.value_fen,
            )
        )
        _move(session, item, -quantity, reason=MovementReason.redemption, actor=redemption.kiosk, ref_id=redemption.id)


def _check_request(session: Session, request_key: str, digest: str, holder_id: int | None) -> Redemption | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", request_key or ""):
        raise InvalidInput(_l("The confirmation is not valid. Start again."))
    found = session.scalar(select(Redemption).where(Redemption.request_key == request_key))
    if found is not None and (found.employee_id != holder_id or found.cart_digest != digest):
        raise Conflict(_l("This confirmation was already used for another cart. Start again."))
    return found


def _closed_message(session: Session, now: dt.datetime | None = None) -> StoreClosed:
    return StoreClosed(closed_words(session, now))


def closed_words(session: Session, now: dt.datetime | None = None) -> str:
    """Why the store is shut now and when it opens, in words (the kiosk says it before a cart is filled)."""
    now = now or clock.now()
    days = clock.weekdays_text(get_setting(session, "store_days"))
    hours = get_setting(session, "store_hours")
    for first, last in closed_days(get_setting(session, "store_closed_days")):
        if first <= now.date() <= last:
            return str(
                _l(
                    "The store is closed until %(last)s. Redemption is open %(days)s, %(hours)s.",
                    last=clock.date_text(last),
                    days=days,
                    hours=hours,
                )
            )
    if redemption_rules(get_setting(session, "redemption_dates")):
        return str(_l("The store is closed now.")) + " " + redemption_words(session, now)
    return str(_l("The store is closed now. Redemption is open %(days)s, %(hours)s.", days=days, hours=hours))


def redeem_bearer(
    session: Session,
    cart: dict[int, int],
    *,
    kiosk: str,
    request_key: str,
    spend: Callable[[int], int],
    check: str,
    now: dt.datetime | None = None,
) -> RedeemResult:
    """Spend an anonymous reward's claim code (a bearer voucher) on goods: no card, no person, no ledger entry.

    ``spend(total)`` takes the points off the voucher (locked), or raises. The redemption names nobody and points
    to nothing: not the voucher, not the hazard, not what is left on the code (README: Security); ``check``
    lets the same code alone take it back (models/hazards.redemption_check)."""
    digest = _digest(cart)
    goods = _lock_goods(session, cart)
    # Under the goods' locks: a twin of this request that got here first has committed by now.
    earlier = _check_request(session, request_key, digest, None)
    if earlier is not None:
        return RedeemResult(earlier, True)
    if not store_open(session, now):
        raise _closed_message(session, now)
    lines = _take(session, cart, goods)
    total = sum(quantity * price for _, quantity, price in lines)
    spend(total)
    redemption = Redemption(
        request_key=request_key,
        cart_digest=digest,
        employee_id=None,
        bearer_check=check,
        kiosk=kiosk,
        points=total,
        balance_after=0,  # what is left on the code is the bearer's to see, at the kiosk, and nobody's to keep
        created_at=utcnow().replace(microsecond=0),
    )
    _hand_over(session, redemption, lines)
    session.flush()
    return RedeemResult(redemption, False)


def by_request_key(session: Session, employee: Holder, request_key: str) -> Redemption | None:
    """The redemption a request key already made for this holder (a repeated confirmation), if any."""
    return session.scalar(
        select(Redemption).where(Redemption.request_key == request_key, Redemption.employee_id == employee.id)
    )


def find_redemption(session: Session, number: str, *, lock: bool = False) -> Redemption:
    """A redemption by the number on its slip (as typed or scanned)."""
    number = clean_scan(number).upper()
    shape = re.fullmatch(r"DH-\d{4}-(\d{1,10})", number)
    ident = int(shape.group(1)) if shape else 0
    query = select(Redemption).where(Redemption.id == ident) if 0 < ident < 2**31 else None
    found = session.scalar(query.with_for_update(of=Redemption) if lock else query) if query is not None else None
    if found is None or found.number != number:
        raise NotFound(_l("No redemption with number %(number)s."), number=number[:20])
    return found


def hand_out(session: Session, redemption: Redemption, *, actor: str) -> Redemption:
    if redemption.status is RedemptionStatus.handed_out:
        raise Conflict(
            _l("%(number)s was already handed out at %(when)s."),
            number=redemption.number,
            when=clock.time_text(redemption.handed_out_at),
        )
    if redemption.status in UNDONE:
        raise Conflict(
            _l("%(number)s was cancelled: %(reason)s"), number=redemption.number, reason=redemption.cancel_reason
        )
    redemption.status = RedemptionStatus.handed_out
    redemption.handed_out_at, redemption.handed_out_by = utcnow(), actor
    session.flush()
    return redemption


def cancel(
    session: Session,
    redemption: Redemption,
    reason: str,
    *,
    actor: str,
    refund: Callable[[int], object] | None = None,
    returned: bool = False,
) -> Redemption:
    """Cancel with a reason: a refund entry and stock movements back; history is not edited. Goods already
    handed out come back only as a return (``returned``: the storekeeper has them on the counter): stock and
    points move back together, and the redemption says "returned".

    A claim code's redemption names nobody: its points go back onto the code its bearer types again
    (``refund(points)``, models/hazards.refund_reward)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_l("Say why the redemption is cancelled."))
    if redemption.status in UNDONE:
        raise Conflict(_l("%(number)s was already cancelled."), number=redemption.number)
    if redemption.status is RedemptionStatus.handed_out and not returned:
        raise Conflict(
            _l("%(number)s was handed out: the goods come back only as a return, on the counter."),
            number=redemption.number,
        )
    status = RedemptionStatus.returned if returned else RedemptionStatus.cancelled
    movement = MovementReason.returned if returned else MovementReason.cancel
    if redemption.employee_id is None:
        if refund is None:
            raise InvalidInput(_l("This was paid with an anonymous reward's claim code: its bearer types the code."))
        _put_back(session, redemption, movement, actor=actor, reason=reason)
        refund(redemption.points)
        return _cancelled(session, redemption, status, actor=actor, reason=reason)
    employee = ledger.lock_employee(session, redemption.employee_id)
    _put_back(session, redemption, movement, actor=actor, reason=reason)
    ledger.post_entry(
        session,
        employee,
        redemption.points,
        ledger.EntryKind.refund,
        actor=actor,
        ref=("redemption", redemption.id),
        memo=f"{memos.RETURNED if returned else memos.CANCELLED} {redemption.number}：{reason}"[:200],
    )
    return _cancelled(session, redemption, status, actor=actor, reason=reason)


def _put_back(session: Session, redemption: Redemption, reason_of: MovementReason, *, actor: str, reason: str) -> None:
    goods = _lock_goods(session, [line.goods_id for line in redemption.lines])
    for line in redemption.lines:
        _move(
            session,
            goods[line.goods_id],
            line.quantity,
            reason=reason_of,
            actor=actor,
            note=reason,
            ref_id=redemption.id,
        )


def _cancelled(
    session: Session, redemption: Redemption, status: RedemptionStatus, *, actor: str, reason: str
) -> Redemption:
    redemption.status = status
    redemption.cancelled_at, redemption.cancelled_by, redemption.cancel_reason = utcnow(), actor, reason[:200]
    session.flush()
    return redemption


def parse_yuan(text: str) -> int:
    """An amount of yuan as typed ("12", "12.5", "12.50") in fen; anything else is refused."""
    # Full-width digits and point (an input method's) are read as digits; other scripts' digits are refused.
    match = re.fullmatch(r"\s*(\d{1,6})(?:\.(\d{1,2}))?\s*", half_width(text or ""), flags=re.ASCII)
    if match is None:
        raise InvalidInput(_l("The value is an amount of yuan, like 25 or 12.50."))
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def movements_of(session: Session, goods_id: int, limit: int = 50) -> list[StockMovement]:
    return list(
        session.scalars(
            select(StockMovement)
            .where(StockMovement.goods_id == goods_id)
            .order_by(StockMovement.id.desc())
            .limit(limit)
        )
    )


def _check_counts(counts: dict[int, int]) -> None:
    if not counts:
        raise InvalidInput(_l("Enter at least one count."))
    for counted in counts.values():
        if not isinstance(counted, int) or isinstance(counted, bool) or not 0 <= counted <= 1_000_000:
            raise InvalidInput(_l("A count is a whole number from 0."))


def stock_take_preview(session: Session, counts: dict[int, int]) -> list[tuple[Goods, int, int]]:
    """What a stock-take would post, before it is posted: (goods, counted, difference) for each item counted."""
    _check_counts(counts)
    goods = _goods_by_id(session, counts)
    if len(goods) != len(counts):
        raise NotFound(_l("No such goods."))
    return [(item, counts[item.id], counts[item.id] - item.stock) for item in goods.values()]


def stock_take(session: Session, counts: dict[int, int], *, actor: str, note: str = "") -> list[StockMovement]:
    """Post a stock-take: for each item counted, the difference between the count and the stock now becomes
    a "count" movement. All or nothing: one impossible count (negative, not a whole number, unknown goods)
    refuses the whole sheet."""
    _check_counts(counts)
    goods = _lock_goods(session, counts)
    if len(goods) != len(counts):
        raise NotFound(_l("No such goods."))
    why = clean_text(note, 150) or "盘点"
    movements = [
        _move(session, item, counts[item.id] - item.stock, reason=MovementReason.stock_take, actor=actor, note=why)
        for item in goods.values()
        if counts[item.id] != item.stock
    ]
    session.flush()
    return movements


LOW_STOCK = (Goods.active.is_(True), Goods.stock <= Goods.low_stock)  # on the shelf, at or below its mark
# Seed 000: the goods of a safety points supermarket are worth 5 to 500 yuan each.
ADVISED_FEN = (5 * 100, 500 * 100)


def within_advice(goods: Goods) -> bool:
    """Whether the goods are worth what the scheme advises (a note to the storekeeper, not a rule)."""
    return ADVISED_FEN[0] <= goods.value_fen <= ADVISED_FEN[1]


def low_stock(session: Session) -> list[Goods]:
    return list(session.scalars(select(Goods).where(*LOW_STOCK).order_by(Goods.stock, Goods.name)))


@dataclass(frozen=True)
class StockMisfit:
    goods_id: int
    name: str
    stock: int
    moved: int  # the sum of its movements


def verify_stock(session: Session) -> list[StockMisfit]:
    """The goods whose stock is not the sum of their movements (none, unless a row was changed by hand):
    ``mart stock verify``, beside ``mart ledger verify``."""
    sums = dict(
        session.execute(
            select(StockMovement.goods_id, func.sum(StockMovement.delta)).group_by(StockMovement.goods_id)
        ).all()
    )
    return [
        StockMisfit(g.id, g.name, g.stock, int(sums.get(g.id) or 0))
        for g in session.scalars(select(Goods).order_by(Goods.id))
        if g.stock != (sums.get(g.id) or 0)
    ]
