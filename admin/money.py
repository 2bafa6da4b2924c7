"""The scheme's money for the safety office and finance: the year's budget against what was bought, the goods
handed out, the rewards paid and the points outstanding as a liability, month by month; on screen and as
Excel (models/money.py says what each figure is)."""

from __future__ import annotations

import io

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app import forms, xlsx
from app.extensions import db
from models import clock, money
from models.i18n import lazy_gettext as _l

from . import MONEY, bp, role_required, xlsx_response


def _year() -> int:
    return forms.year(request.args.get("year"), clock.today().year, clock.today().year)


def _yuan(fen: int) -> float:
    return round(fen / 100, 2)


# Each month's columns, the same on screen and in Excel: (heading, the value from a month and its year).
COLUMNS = (
    (_l("Bought (yuan)"), lambda y, m: _yuan(m.bought_fen)),
    (_l("Pieces bought"), lambda y, m: m.bought_pieces),
    (_l("Goods handed out, at value (yuan)"), lambda y, m: _yuan(m.handed_out_fen)),
    (_l("Points redeemed"), lambda y, m: m.redeemed_points),
    (_l("Points redeemed (yuan)"), lambda y, m: y.yuan(m.redeemed_points)),
    (_l("Points awarded to employees"), lambda y, m: m.awarded_points),
    (_l("Hazard-report rewards (points)"), lambda y, m: m.hazard_reward_points),
    (_l("Hazard-report rewards (yuan)"), lambda y, m: y.yuan(m.hazard_reward_points)),
    (_l("of them on claim codes (points)"), lambda y, m: m.code_reward_points),
    (_l("Other changes to balances (points)"), lambda y, m: m.other_points),
    (_l("Points held by employees at the month's end"), lambda y, m: m.outstanding_points),
    (_l("Points on claim codes at the month's end"), lambda y, m: m.code_outstanding_points),
    (_l("Liability (yuan)"), lambda y, m: y.yuan(m.owed_points)),
)
# What a year adds up; its points outstanding are those at its end.
SUMMED = (
    "bought_fen",
    "bought_pieces",
    "handed_out_fen",
    "redeemed_points",
    "awarded_points",
    "hazard_reward_points",
    "code_reward_points",
    "code_redeemed_points",
    "other_points",
)


def rows(found: money.MoneyYear) -> list[list[object]]:
    lines: list[list[object]] = [[m.month, *[value(found, m) for _h, value in COLUMNS]] for m in found.months]
    if found.months:
        total = money.MoneyMonth(
            str(found.year),
            found.last,
            outstanding_points=found.outstanding_points,
            code_outstanding_points=found.code_outstanding_points,
            **{name: found.total(name) for name in SUMMED},
        )
        lines.append([_("Year %(year)s", year=found.year), *[value(found, total) for _h, value in COLUMNS]])
    return lines


@bp.get("/money")
@role_required(*MONEY)
def money_page() -> str:
    found = money.year_of_money(db.session, _year())
    today = clock.today()
    return render_template(
        "admin/money.html",
        found=found,
        headings=[h for h, _v in COLUMNS],
        rows=rows(found),
        years=list(range(today.year, today.year - 5, -1)),
        uncosted=found.total("uncosted_pieces"),
        summary=summary_rows(found),
        this_year=today.year,
    )


@bp.get("/money.xlsx")
@role_required(*MONEY)
def money_export() -> Response:
    found = money.year_of_money(db.session, _year())
    out = io.BytesIO()
    with xlsx.Workbook(out) as book:
        sheet = book.sheet(
            _("Money %(year)s", year=found.year),
            [_("Month"), *[h for h, _v in COLUMNS]],
            "s" + "n" * len(COLUMNS),
            {0: 12, **{n: 16 for n in range(1, len(COLUMNS) + 1)}},
        )
        sheet.write_rows(rows(found))
        summary = book.sheet(_("Budget"), [_("Item"), _("Amount")], "sa", {0: 40, 1: 18})
        summary.write_rows(summary_rows(found))
    return xlsx_response(out.getvalue(), f"money-{found.year}.xlsx")


def summary_rows(found: money.MoneyYear) -> list[list[object]]:
    left = found.budget_left_fen
    return [
        [_("Year's budget (yuan)"), float(found.budget_yuan) if found.budget_yuan else None],
        [_("Bought this year (yuan)"), _yuan(found.bought_fen)],
        [_("Budget used (%)"), found.budget_used],
        [_("Budget left (yuan)"), None if left is None else _yuan(left)],
        [_("Goods handed out, at value (yuan)"), _yuan(found.total("handed_out_fen"))],
        [_("Points outstanding (liability, yuan)"), found.yuan(found.owed_points)],
        [_("Goods on the shelf now, at value (yuan)"), _yuan(found.stock_value_fen)],
        [_("Pieces restocked without a purchase cost"), found.total("uncosted_pieces")],
        [_("Points per yuan"), found.points_per_yuan],
    ]
