"""The HR roster from Excel: read, check row by row, compare with the employees, then apply.

The roster is an .xlsx workbook whose first sheet has a header row naming the columns (工号, 姓名, 部门, and
optionally 班组, 人员类别 or 用工性质, 状态; the English names and the usual synonyms work too), as HR makes it:
a title or blank rows above the header are skipped, total rows (合计) are left out, and every column it does
not use is named in a warning. Every row is checked before anything is written:
a missing or malformed number, a number twice in the file, an unknown department, a formula, an overlong
cell or an unknown kind is an error on that row, and a file with errors is not applied. A row that matches
the employee as stored changes nothing, so importing the same file twice changes nothing the second time.
Applying goes in chunks (``apply_rows``), so a page can show a progress bar for a large file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import ledger, memos
from .clock import utcnow
from .errors import InvalidInput
from .i18n import lazy_gettext as _l
from .people import (
    EMPLOYEE_NUMBER,
    Department,
    Employee,
    EmployeeKind,
    EmployeeNumberChange,
    Role,
    StaffUser,
    create_employee,
    employee_number,
    get_or_create_team,
)
from .settings import get_setting
from .sheets import cell, plain, read_table

MAX_ROWS = 20_000
HEADERS = {
    "number": ("工号", "员工编号", "职工编号", "人员编号", "编号", "number", "employeenumber"),
    "name": ("姓名", "员工姓名", "name", "fullname"),
    "department": ("部门", "所属部门", "单位", "车间", "department"),
    "team": ("班组", "班组名称", "team"),
    "kind": ("人员类别", "用工性质", "用工类型", "用工形式", "员工类别", "人员类型", "类别", "kind"),
    "status": ("状态", "在职状态", "人员状态", "status"),
}
FIELD_NAMES = {
    "number": _l("Employee number"),
    "name": _l("Full name"),
    "department": _l("Department"),
    "team": _l("Team"),
    "kind": _l("Kind"),
    "status": _l("Status"),
}
KINDS = {
    "正式员工": "staff",
    "正式工": "staff",
    "正式": "staff",
    "合同工": "staff",
    "合同制": "staff",
    "员工": "staff",
    "在册员工": "staff",
    "staff": "staff",
    "承包商": "contractor",
    "外包": "contractor",
    "外包人员": "contractor",
    "外包工": "contractor",
    "劳务派遣": "contractor",
    "派遣": "contractor",
    "派遣工": "contractor",
    "相关方": "contractor",
    "contractor": "contractor",
    "临时人员": "temporary",
    "临时工": "temporary",
    "临时": "temporary",
    "实习": "temporary",
    "实习生": "temporary",
    "temporary": "temporary",
}
LEFT = {"离职", "已离职", "left"}
ACTIVE = {"", "在职", "active"}


@dataclass
class RosterRow:
    line: int  # the row number in the sheet, as Excel shows it
    number: str
    name: str
    department: str
    team: str = ""
    kind: str = "staff"
    left: bool = False
    problems: list[str] = field(default_factory=list)  # found in the file itself
    errors: list[str] = field(default_factory=list)  # the problems and what compare found (set by compare)
    unknown_department: bool = False
    action: str = ""  # new, change, leave, same (set by compare)
    changes: list[str] = field(default_factory=list)


@dataclass
class Roster:
    rows: list[RosterRow]
    columns: list[list[str]] = field(default_factory=list)  # [header as written, field key] for each used column
    unused: list[str] = field(default_factory=list)  # headers of the columns it does not use
    skipped: list[str] = field(default_factory=list)  # rows left out, in words (a title, a total)

    @property
    def errors(self) -> list[RosterRow]:
        return [row for row in self.rows if row.errors]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(row) for row in self.rows]

    @classmethod
    def from_json(cls, rows: list[dict[str, Any]]) -> Roster:
        return cls([RosterRow(**row) for row in rows])


REQUIRED = ("number", "name", "department")


def read_roster(data: bytes) -> Roster:
    """Read and check the rows of a roster workbook; refuse what is not one."""
    table = read_table(data, HEADERS, REQUIRED, max_rows=MAX_ROWS)
    rows = [_row(line, values, table.columns) for line, values in table.rows]
    if not rows:
        raise InvalidInput(_l("The workbook has no employees under its header row."))
    seen: dict[str, int] = {}
    for row in rows:
        if row.number and row.number in seen:
            row.problems.append(str(_l("Employee number also on row %(line)s.", line=seen[row.number])))
        seen.setdefault(row.number, row.line)
        row.errors = list(row.problems)
    return Roster(rows, table.mapping, table.unused, table.skipped)


def _row(line: int, values: tuple[Any, ...], columns: dict[str, int]) -> RosterRow:
    errors: list[str] = []
    number = employee_number(cell(values, columns["number"], errors))
    name = cell(values, columns["name"], errors)
    department = cell(values, columns["department"], errors)
    team = cell(values, columns.get("team"), errors)
    kind_text = cell(values, columns.get("kind"), errors)
    status = cell(values, columns.get("status"), errors)
    if not number:
        errors.append(str(_l("The employee number is missing.")))
    elif not EMPLOYEE_NUMBER.match(number):
        errors.append(str(_l("An employee number is 1 to 32 letters, digits, '-' or '_'.")))
    if not name:
        errors.append(str(_l("The name is missing.")))
    if not department:
        errors.append(str(_l("The department is missing.")))
    kind = KINDS.get(plain(kind_text), "") if kind_text else "staff"
    if not kind:
        errors.append(str(_l("Unknown kind of employee: %(kind)s.", kind=kind_text)))
    if status.lower() not in LEFT | ACTIVE:
        errors.append(str(_l("The status is 在职 or 离职.")))
    return RosterRow(line, number, name, department, team, kind or "staff", status.lower() in LEFT, problems=errors)


def _open_work(session: Session, employee: Employee) -> str:
    """The numbers of the open rectifications a leaver owns, for the preview to warn of."""
    from .hazards import assigned_to  # hazards builds on people and the ledger, as this module does

    owners = [f"employee:{employee.number}", *(a.actor for a in accounts_stopping(session, employee))]
    return "、".join(h.number or "" for actor in owners for h in assigned_to(session, actor))


def compare(session: Session, roster: Roster) -> Roster:
    """Mark each row new, change (with what changes), leave or same, against the database as it is now;
    unknown departments are errors. Comparing again forgets what the last comparison found."""
    departments = {d.name: d for d in session.scalars(select(Department))}
    numbers = [row.number for row in roster.rows]
    employees = {e.number: e for e in session.scalars(select(Employee).where(Employee.number.in_(numbers)))}
    former = set(session.scalars(select(EmployeeNumberChange.old).where(EmployeeNumberChange.old.in_(numbers))))
    for row in roster.rows:
        row.errors, row.action, row.changes = list(row.problems), "", []
        dept = departments.get(row.department)
        row.unknown_department = bool(row.department) and dept is None
        if row.unknown_department:
            row.errors.append(str(_l("Unknown department: %(name)s.", name=row.department)))
        if row.errors or dept is None:
            continue
        current = employees.get(row.number)
        if current is None and row.number in former:  # history under it names the one who had it
            row.errors.append(str(_l("The number %(number)s is someone else's (now or before).", number=row.number)))
            continue
        if current is None:
            row.action = "same" if row.left else "new"  # a leaver never on file: nothing to do
            continue
        changes = []
        if current.name != row.name:
            changes.append(f"{current.name} → {row.name}")
        if current.department_id != dept.id:
            changes.append(f"{current.department.name} → {row.department}")
        if (current.team.name if current.team else "") != row.team and row.team:
            changes.append(f"{current.team.name if current.team else '—'} → {row.team}")
        if current.kind.value != row.kind:
            changes.append(f"{current.kind.label} → {EmployeeKind(row.kind).label}")
        if row.left and current.active:
            row.action = "leave"
            if owned := _open_work(session, current):
                changes = [str(_l("owns open rectifications (%(numbers)s): hand each over", numbers=owned))]
        elif changes:
            row.action = "change"
        else:
            row.action = "same"
        row.changes = changes
    return roster


def leave(session: Session, employee: Employee, *, actor: str) -> None:
    """An employee leaves: their cards stop working, and their points are kept (frozen) or forfeited, as the
    leaver_points setting says; a forfeit is a ledger entry like any other."""
    if not employee.active:
        raise InvalidInput(_l("%(name)s has already left."), name=employee.name)
    if get_setting(session, "leaver_points") == "forfeit" and employee.balance > 0:
        ledger.adjust(session, employee.id, -employee.balance, actor=actor, memo=memos.LEFT)
    employee.active, employee.left_at = False, utcnow()
    employee.reporter_token = None  # every phone that remembers them forgets them, also if they come back
    for card in employee.cards:
        if card.active:
            card.revoked_at, card.revoked_by, card.revoke_reason = utcnow(), actor, "离职"
    for account in accounts_stopping(session, employee):
        account.active = False
        account.end_sessions()
    session.flush()


def accounts_stopping(session: Session, employee: Employee) -> list[StaffUser]:
    """The back-office accounts of an employee who leaves, which stop with them (but the last administrator's:
    someone must still be able to sign in)."""
    accounts = session.scalars(
        select(StaffUser).where(StaffUser.employee_id == employee.id, StaffUser.active.is_(True))
    ).all()
    if not any(Role.admin in u.roles for u in accounts):
        return list(accounts)
    others = session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True), StaffUser.employee_id.is_distinct_from(employee.id))
    )
    another_admin = any(Role.admin in u.roles for u in others)
    return [u for u in accounts if another_admin or Role.admin not in u.roles]


def rejoin(session: Session, employee: Employee) -> None:
    """An employee who left comes back: active again, with what the ledger holds for them; a new card is needed."""
    if employee.active:
        raise InvalidInput(_l("%(name)s has not left."), name=employee.name)
    employee.active, employee.left_at = True, None
    session.flush()


def apply_rows(session: Session, rows: list[RosterRow], *, actor: str) -> int:
    """Write ``rows`` (already compared, without errors); returns how many changed anything."""
    departments = {d.name: d for d in session.scalars(select(Department))}
    numbers = [row.number for row in rows]
    employees = {e.number: e for e in session.scalars(select(Employee).where(Employee.number.in_(numbers)))}
    done = 0
    for row in rows:
        if row.errors or row.action in ("", "same"):
            continue
        dept = departments.get(row.department)
        if dept is None:
            raise InvalidInput(_l("Unknown department: %(name)s."), name=row.department)
        team = get_or_create_team(session, dept, row.team) if row.team else None
        current = employees.get(row.number)
        if current is None:
            create_employee(session, number=row.number, name=row.name, department=dept, team=team, kind=row.kind)
        else:
            current.name, current.department, current.kind = row.name, dept, EmployeeKind(row.kind)
            if team is not None:
                current.team = team
            elif current.team is not None and current.team.department_id != dept.id:
                current.team = None
            if row.left and current.active:
                leave(session, current, actor=actor)
        done += 1
    session.flush()
    return done
