"""The audit log: every change a staff member makes, with who, when, what, and the values before and after.

Nothing calls it by hand. A listener on the session looks at each flush: when the session knows who is
acting (``session.info["audit_actor"]``, a name or a function that returns one, or None when nobody on the
staff is), every row inserted, updated or deleted in that flush gets an entry, written in the same
transaction (so a change rolled back leaves no entry, and an entry cannot be missing for a change that
stayed). Secrets (hashes, tokens, card codes) are logged as changed, never with their values.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime, Index, String, Text, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from . import clock
from .base import Base
from .clock import utcnow

# The log itself; the chain's pointer moves with every entry; tries at a secret are counted, not changed by
# anyone (and are written by plain statements the log does not see); what a claim code spent is filed under
# its keyed hash alone, and an entry beside it would say when (README: Security).
SKIPPED_TABLES = {"audit_entry", "ledger_head", "ledger_tally", "tries", "reward_spend"}
SECRET_NAMES = {"token", "code"}
# Kept out of the log: which visit is open at a kiosk changes with every card scanned.
QUIET_COLUMNS = {"visit_token"}
HIDDEN = "***"
TEXT_LIMIT = 300


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(8))  # create, update, delete
    entity: Mapped[str] = mapped_column(String(40))  # the table
    entity_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[str] = mapped_column(Text)  # JSON: {column: [before, after]}

    @property
    def changed(self) -> dict[str, list[Any]]:
        changed: dict[str, list[Any]] = json.loads(self.changes)
        return changed


def _secret(column: str) -> bool:
    return column.endswith(("hash", "_token")) or column in SECRET_NAMES


def _plain(value: Any) -> Any:
    """A value as JSON can keep it."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def _row_changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for column in state.mapper.column_attrs:
        key = column.key
        if key in QUIET_COLUMNS:
            continue
        history = state.attrs[key].history
        if action == "update":
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
        else:
            value = state.dict.get(key)  # what is loaded: nothing here may make the flush query again
            if value is None:
                continue
            before, after = (None, value) if action == "create" else (value, None)
        changes[key] = [HIDDEN, HIDDEN] if _secret(key) else [_plain(before), _plain(after)]
    return changes


def actor_of(session: Session) -> str | None:
    who = session.info.get("audit_actor")
    return who() if callable(who) else who


def _after_flush(session: Session, _context: Any) -> None:
    actor = actor_of(session)
    if not actor:
        return
    rows = []
    now = utcnow()
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in SKIPPED_TABLES:
                continue
            changes = _row_changes(obj, action)
            if action == "update" and not changes:
                continue
            identity = inspect(obj).mapper.primary_key_from_instance(obj)
            rows.append(
                {
                    "at": now,
                    "actor": actor[:64],
                    "action": action,
                    "entity": table,
                    "entity_id": ",".join(str(part) for part in identity or ())[:64],
                    "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
                }
            )
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def note(session: Session, action: str, entity: str, entity_id: str, what: dict[str, Any]) -> None:
    """Log something the acting staff member did that changed no row (printed a sheet of card credentials),
    in the same transaction as the rest of the request."""
    session.add(
        AuditEntry(
            actor=(actor_of(session) or "system")[:64],
            action=action[:8],
            entity=entity[:40],
            entity_id=entity_id[:64],
            changes=json.dumps({key: [None, _plain(value)] for key, value in what.items()}, ensure_ascii=False),
        )
    )
    session.flush()


def watch(maker: sessionmaker[Session]) -> None:
    """Log the staff's changes made through sessions of ``maker``."""
    event.listen(maker, "after_flush", _after_flush)


def acting(session: Session, who: str | Callable[[], str | None] | None) -> None:
    """Say who is acting in ``session`` from now on (None: nobody on the staff; nothing is logged)."""
    session.info["audit_actor"] = who


def search(
    session: Session,
    *,
    actor: str = "",
    entity: str = "",
    entity_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Any:
    """The entries matching a filter, newest first (a select to page through)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    start, end = clock.days(since, until)
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if end is not None:
        query = query.where(AuditEntry.at < end)
    return query
