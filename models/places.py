"""Places of the plant and their QR posters: site → workshop or area → machine or spot.

Each place has a risk colour (the four-colour scheme: red major, orange high, yellow general, blue low),
an optional report checklist (typical hazards of that place a reporter can tick) and a random token that
its poster's QR code carries. Replacing the token retires the old poster: scanning it then says so
instead of opening a report page. Every scan of a valid poster is counted.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base, LabelledEnum, get_or_404
from .clock import utcnow
from .errors import Gone, InvalidInput, NotFound
from .i18n import lazy_gettext as _l

CHECKLIST_LIMIT = 20


class Risk(LabelledEnum):
    red = "red", _l("Red: major risk")
    orange = "orange", _l("Orange: high risk")
    yellow = "yellow", _l("Yellow: general risk")
    blue = "blue", _l("Blue: low risk")


RISK_RGB = {Risk.red: "#d7261e", Risk.orange: "#f08a00", Risk.yellow: "#f5c400", Risk.blue: "#1f6fd1"}


class Place(Base):
    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    risk: Mapped[str] = mapped_column(String(8), default="blue")
    checklist: Mapped[str] = mapped_column(Text, default="")  # one typical hazard a line
    token: Mapped[str] = mapped_column(String(32), unique=True)
    scans: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    parent: Mapped[Place | None] = relationship(remote_side=[id])

    @property
    def risk_level(self) -> Risk:
        return Risk(self.risk)

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]

    @property
    def path(self) -> str:
        """The place with its parents: "一号厂区 / 冲压车间 / 3号冲床"."""
        names, seen = [], set()
        place: Place | None = self
        while place is not None and place.id not in seen:
            seen.add(place.id)
            names.append(place.name)
            place = place.parent
        return " / ".join(reversed(names))


class RetiredToken(Base):
    """A poster token that was replaced: its scans get "no longer valid", never a report page."""

    __tablename__ = "place_retired_token"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"))
    retired_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def new_token() -> str:
    """128 random bits, URL-safe: a poster's address cannot be guessed from another's."""
    return secrets.token_urlsafe(16)


def _clean(name: str, checklist: str) -> tuple[str, str]:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise InvalidInput(_l("Give the place a name."))
    items = [" ".join(line.split())[:100] for line in (checklist or "").splitlines() if line.strip()]
    if len(items) > CHECKLIST_LIMIT:
        raise InvalidInput(_l("A checklist has at most %(n)s items."), n=CHECKLIST_LIMIT)
    return name, "\n".join(items)


def save_place(
    session: Session,
    place: Place | None,
    *,
    name: str,
    risk: str,
    parent_id: int | None = None,
    checklist: str = "",
) -> Place:
    """Create a place (``place`` None) or change one. A place cannot sit under itself or its children."""
    name, checklist = _clean(name, checklist)
    if risk not in Risk.__members__:
        raise InvalidInput(_l("Choose a risk colour."))
    parent = None
    if parent_id:
        parent = session.get(Place, parent_id)
        if parent is None:
            raise InvalidInput(_l("The parent place is not known."))
        ancestor: Place | None = parent
        while ancestor is not None:
            if place is not None and ancestor.id == place.id:
                raise InvalidInput(_l("A place cannot sit under itself."))
            ancestor = ancestor.parent
    if place is None:
        place = Place(token=new_token())
        session.add(place)
    place.name, place.risk, place.checklist, place.parent = name, Risk(risk).value, checklist, parent
    session.flush()
    return place


def replace_token(session: Session, place: Place) -> str:
    """Give the place a new poster token; the old poster now says it is no longer valid."""
    session.add(RetiredToken(token=place.token, place_id=place.id))
    place.token = new_token()
    session.flush()
    return place.token


def get_place(session: Session, place_id: int) -> Place:
    return get_or_404(session, Place, place_id, _l("No such place."))


def place_for_token(session: Session, token: str) -> Place:
    """The place a poster opens. A replaced token is 410 Gone, an unknown one 404."""
    token = (token or "")[:32]
    place = session.scalar(select(Place).where(Place.token == token))
    if place is not None and place.active:
        return place
    if place is not None or session.get(RetiredToken, token) is not None:
        raise Gone(_l("This poster is no longer valid. Please scan the new poster at this place."))
    raise NotFound(_l("This QR code is not one of ours."))


def count_scan(session: Session, place: Place) -> None:
    """One more scan of the poster, counted in the database (two phones at once both count)."""
    session.execute(update(Place).where(Place.id == place.id).values(scans=Place.scans + 1))


def all_places(session: Session) -> list[Place]:
    """Every place in tree order (parents before their children, siblings by name)."""
    places = list(session.scalars(select(Place).order_by(Place.name)))
    children: dict[int | None, list[Place]] = {}
    for place in places:
        children.setdefault(place.parent_id, []).append(place)
    ordered: list[Place] = []

    def walk(parent_id: int | None) -> None:
        for place in children.get(parent_id, []):
            ordered.append(place)
            walk(place.id)

    walk(None)
    return ordered


def depth(place: Place) -> int:
    level, parent = 0, place.parent
    while parent is not None and level < 20:
        level, parent = level + 1, parent.parent
    return level
