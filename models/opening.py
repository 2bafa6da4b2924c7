"""Points a plant brings to its first day: opening balances from an Excel sheet, and a go-live award.

A plant that ran the scheme on paper has balances to bring over (工号, 积分, and a note such as 纸质台账结转);
a new one may give everyone a start. Either is an adjustment entry in the chain (it does not count towards
the yearly cap, it passes no review: an administrator answers for it), referenced to its employee, so each
employee gets at most one opening balance and one go-live award: applying a sheet twice, or a second sheet
naming the same person, changes nothing for them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit, ledger, memos
from .base import clean_text
from .errors import InvalidInput
from .i18n import lazy_gettext as _l
from .people import EMPLOYEE_NUMBER, Employee, employee_number
from .roster import HEADERS as ROSTER_HEADERS
from .sheets import cell, read_table

MAX_ROWS = 20_000
MAX_AWARD = 10_000
MAX_POINTS = 1_000_000  # more than anyone earns in years: a typo (a phone number in the points column)
OPENING, GO_LIVE = "opening", "go_live"  # the entries' ref_type, their ref_id the employee's id
HEADERS = {
    "number": ROSTER_HEADERS["number"],
    "name": ROSTER_HEADERS["name"],
    "points": ("积分", "期初积分", "积分余额", "结转积分", "余额", "结余积分", "剩余积分", "points", "balance"),
    "note": ("备注", "说明", "摘要", "note", "memo"),
}
FIELD_NAMES = {
    "number": _l("Employee number"),
    "name": _l("Full name"),
    "points": _l("Points"),
    "note": _l("Note"),
}


@dataclass
class OpeningRow:
    line: int
    number: str
    points: int
    note: str = ""
    name: str = ""  # as the sheet spells it (checked against the employee's)
    employee_id: int | None = None
    employee_name: str = ""
    errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # found in the file itself
    action: str = ""  # "new" (to be brought over) or "same" (brought over already)


@dataclass
class Sheet:
    rows: list[OpeningRow]
    columns: list[list[str]] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[OpeningRow]:
        return [row for row in self.rows if row.errors]

    def total(self, action: str | None = None) -> int:
        return sum(row.points for row in self.rows if action is None or row.action == action)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(row) for row in self.rows]

    @classmethod
    def from_json(cls, rows: list[dict[str, Any]]) -> Sheet:
        return cls([OpeningRow(**row) for row in rows])


def _points(text: str, errors: list[str]) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", text):  # digits as typed: not 1_000, +7 or full-width ones
        errors.append(str(_l("The points are a whole number: %(text)s.", text=text[:20])))
        return 0
    points = int(text)
    if not 0 < points <= MAX_POINTS:
        errors.append(str(_l("The points are 1 to %(max)s.", max=MAX_POINTS)))
        return 0
    return points


def read_sheet(data: bytes) -> Sheet:
    """Read and check the rows of an opening-balance workbook; refuse what is not one."""
    table = read_table(data, HEADERS, ("number", "points"), max_rows=MAX_ROWS)
    rows: list[OpeningRow] = []
    seen: dict[str, int] = {}
    for line, values in table.rows:
        errors: list[str] = []
        number = employee_number(cell(values, table.columns["number"], errors))
        points_text = cell(values, table.columns["points"], errors)
        row = OpeningRow(
            line,
            number,
            _points(points_text, errors) if points_text else 0,
            note=cell(values, table.columns.get("note"), errors),
            name=cell(values, table.columns.get("name"), errors),
        )
        if not number:
            errors.append(str(_l("The employee number is missing.")))
        elif not EMPLOYEE_NUMBER.match(number):
            errors.append(str(_l("An employee number is 1 to 32 letters, digits, '-' or '_'.")))
        elif number in seen:
            errors.append(str(_l("Employee number also on row %(line)s.", line=seen[number])))
        if not points_text:
            errors.append(str(_l("The points are missing.")))
        seen.setdefault(number, line)
        row.problems = row.errors = errors
        rows.append(row)
    if not rows:
        raise InvalidInput(_l("The workbook has no rows under its header row."))
    return Sheet(rows, table.mapping, table.unused, table.skipped)


def _brought_over(session: Session, kind: str, employee_ids: list[int]) -> set[int]:
    """Of these employees, those who have their entry of ``kind`` already."""
    found: set[int] = set()
    for start in range(0, len(employee_ids), 1000):
        found.update(
            session.scalars(
                select(ledger.LedgerEntry.ref_id).where(
                    ledger.LedgerEntry.ref_type == kind,
                    ledger.LedgerEntry.ref_id.in_(employee_ids[start : start + 1000]),
                )
            )
        )
    return found


def compare(session: Session, sheet: Sheet) -> Sheet:
    """Mark each row new or same (brought over already) against the ledger as it is now; a number nobody has,
    a leaver, or a name that is not the employee's is an error of its row."""
    numbers = {row.number for row in sheet.rows if row.number}
    employees: dict[str, Employee] = {}
    listed = sorted(numbers)
    for start in range(0, len(listed), 1000):
        for employee in session.scalars(select(Employee).where(Employee.number.in_(listed[start : start + 1000]))):
            employees[employee.number] = employee
    done = _brought_over(session, OPENING, [e.id for e in employees.values()])
    for row in sheet.rows:
        row.errors = list(row.problems)
        found = employees.get(row.number)
        row.employee_id, row.employee_name, row.action = None, "", ""
        if row.number and found is None:
            row.errors.append(str(_l("No employee with number %(number)s.", number=row.number)))
        elif found is not None:
            employee = found
            row.employee_id, row.employee_name = employee.id, employee.name
            if not employee.active:
                row.errors.append(str(_l("%(name)s has left.", name=employee.name)))
            if row.name and "".join(row.name.split()) != "".join(employee.name.split()):
                row.errors.append(
                    str(
                        _l(
                            "The sheet says %(sheet)s; number %(number)s is %(name)s.",
                            sheet=row.name,
                            number=row.number,
                            name=employee.name,
                        )
                    )
                )
            row.action = "same" if employee.id in done else "new"
    return sheet


def apply(session: Session, sheet: Sheet, *, actor: str, file: str = "") -> int:
    """Bring the sheet's balances over (compared afresh first: all rows or none); returns the points added."""
    compare(session, sheet)
    if sheet.errors:
        first = sheet.errors[0]
        raise InvalidInput(_l("Row %(line)s cannot be applied: %(error)s"), line=first.line, error=first.errors[0])
    added = 0
    for row in sheet.rows:
        if row.action != "new" or row.employee_id is None:
            continue
        memo = f"{memos.OPENING} {row.note}".strip()
        employee = ledger.lock_employee(session, row.employee_id)
        if _brought_over(session, OPENING, [employee.id]):  # another admin's apply got there first
            continue
        ledger.post_entry(
            session,
            employee,
            row.points,
            ledger.EntryKind.adjustment,
            actor=actor,
            ref=(OPENING, employee.id),
            memo=memo,
        )
        added += row.points
    audit.note(session, "opening", "ledger", file[:64], {"rows": len(sheet.rows), "points": added})
    return added


def check_award(points: object) -> int:
    """The points of a go-live award, or refused in words (before it is asked, and when it is given)."""
    if not isinstance(points, int) or isinstance(points, bool) or not 0 < points <= MAX_AWARD:
        raise InvalidInput(_l("A go-live award is 1 to %(max)s points.", max=MAX_AWARD))
    return points


def go_live_award(session: Session, points: int, note: str, *, actor: str) -> tuple[int, int]:
    """Give every active employee who has none yet the go-live award; returns (employees, points)."""
    check_award(points)
    ids = list(session.scalars(select(Employee.id).where(Employee.active.is_(True)).order_by(Employee.id)))
    done = _brought_over(session, GO_LIVE, ids)
    memo = f"{memos.GO_LIVE} {clean_text(note, 100)}".strip()
    given = 0
    for employee_id in ids:
        if employee_id in done:
            continue
        employee = ledger.lock_employee(session, employee_id)
        if _brought_over(session, GO_LIVE, [employee_id]):
            continue
        ledger.post_entry(
            session, employee, points, ledger.EntryKind.adjustment, actor=actor, ref=(GO_LIVE, employee_id), memo=memo
        )
        given += 1
    audit.note(session, "go-live", "ledger", "", {"employees": given, "points": given * points})
    return given, given * points


def without(session: Session, kind: str) -> int:
    """How many active employees have no entry of ``kind`` yet (whom a go-live award would reach)."""
    has = select(ledger.LedgerEntry.ref_id).where(ledger.LedgerEntry.ref_type == kind)
    return int(session.scalar(select(func.count()).where(Employee.active.is_(True), Employee.id.not_in(has))) or 0)


def totals(session: Session, kind: str = OPENING) -> tuple[int, int]:
    """(employees, points) brought over by entries of ``kind`` so far."""
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(ledger.LedgerEntry.amount), 0)).where(
            ledger.LedgerEntry.ref_type == kind
        )
    ).one()
    return int(row[0]), int(row[1])
