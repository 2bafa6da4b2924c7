"""The notice board (公示栏) at /board: public, for a wall screen and the kiosk's idle screen, and as a
printable sheet for the paper board (/board/print)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, render_template

from app.extensions import db
from models import claims, clock, events, ledger, organisation, reports, rules, store
from models.ledger import EntryKind
from models.rules import RuleKind
from models.settings import all_settings, get_setting, redemption_rules

bp = Blueprint("board", __name__, url_prefix="/board", template_folder="templates")


def _board() -> dict:
    today = clock.today()
    month = today.replace(day=1)
    return {
        "today": today,
        "month": reports.ranking(db.session, month),
        "year": reports.ranking(db.session, today.replace(month=1, day=1)),
        "departments": reports.department_ranking(db.session, today.replace(month=1, day=1)),
        "notice_lines": events.notice_lines(claims.in_notice(db.session)),
        "recent": reports.recent_entries(db.session, (EntryKind.award, EntryKind.deduction)),
        "frauds": claims.fraud_cases(db.session, 10),
        "redemptions": reports.recent_redemptions(
            db.session, masked=get_setting(db.session, "board_names") == "masked"
        ),
        "closed": reports.closed_hazards(db.session, month),
        "months": _months(),
        **_calendar(),
    }


def _calendar() -> dict:
    """When the next redemption is, and the year-end warning in the year's last days."""
    return {
        "next_redemption": store.redemption_words(db.session),
        "channels": get_setting(db.session, "report_channels"),
        "year_end": ledger.year_end_warning(db.session),
    }


@bp.get("")
def index() -> str:
    return render_template("board/index.html", **_board())


@bp.get("/print")
def printable() -> str:
    """The same board on paper: black on white, one column, the date it was printed, and the ledger's
    checkpoint: pinned on the wall, it is a copy of where the chain stood that no one can rewrite later."""
    return render_template("board/print.html", checkpoint=ledger.checkpoint(db.session), **_board())


def _round(month: str) -> dict:
    """A past month's round as the board showed it: who earned most that month, the claims it put in notice, the
    redemptions, the false claims and the hazards closed in it. The board keeps every round, not only this one."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        abort(404)
    this_month = clock.today().replace(day=1)
    if not dt.date(2000, 1, 1) <= first <= this_month:
        abort(404)
    after = clock.next_month(first)
    window = (clock.day_start(first), clock.day_start(after))
    return {
        "first": first,
        "months": _months(),
        "month": reports.ranking(db.session, first, until=after),
        "notice_lines": events.notice_lines(claims.noticed_in(db.session, *window)),
        "redemptions": reports.recent_redemptions(
            db.session, masked=get_setting(db.session, "board_names") == "masked", limit=500, window=window
        ),
        "frauds": claims.fraud_cases(db.session, 100, window=window),
        "closed": reports.closed_hazards(db.session, first, limit=200, until=after),
    }


def _months() -> list[dt.date]:
    """The last twelve months, this one first, for the board's list of past rounds."""
    months, month = [], clock.today().replace(day=1)
    for _ in range(12):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months


@bp.get("/round/<month>")
def past_round(month: str) -> str:
    return render_template("board/round.html", sheet=False, **_round(month))


@bp.get("/round/<month>/print")
def past_round_print(month: str) -> str:
    return render_template("board/round.html", sheet=True, checkpoint=ledger.checkpoint(db.session), **_round(month))


@bp.get("/rules")
def scheme_rules() -> str:
    """《安全积分管理办法》 as the scheme stands today, generated from the rule catalogue and the settings, to post
    on the board and print: the document is the enterprise's own, in Chinese, as seed 000 asks it to be."""
    return render_template("board/rules.html", **rules_text())


def rules_text() -> dict[str, Any]:
    """What the text of 《安全积分管理办法》 is made of (board/_rules_text.html), on the board and the kiosk."""
    values = all_settings(db.session)
    catalogue = rules.active_rules(db.session)
    by_post: dict[str, list[organisation.OrgMember]] = {}
    for member in organisation.on_record(db.session):
        by_post.setdefault(member.post_words, []).append(member)
    return dict(
        today=clock.today(),
        members=list(by_post.items()),
        s=values,
        earn=[r for r in catalogue if r.kind is RuleKind.earn and not r.reports_hazard],
        deduct=[r for r in catalogue if r.kind is RuleKind.deduct],
        days=clock.weekdays_text(values["store_days"], "zh"),
        dates="、".join(rule.text(False) for rule in redemption_rules(values["redemption_dates"])),
        closed=values["store_closed_days"],
    )


@bp.get("/panel")
def panel() -> str:
    """The board in short, for the kiosk's idle screen (an htmx fragment that refreshes itself)."""
    today = clock.today()
    return render_template(
        "board/_panel.html",
        month=reports.ranking(db.session, today.replace(day=1), limit=8),
        notice_lines=events.notice_lines(claims.in_notice(db.session, limit=200))[:8],
        recent=reports.recent_entries(db.session, (EntryKind.award,), limit=8),
        **_calendar(),
    )
