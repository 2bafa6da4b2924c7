"""Statistics for the authorities in the back office, as of a day: the forms' figures (seed 001's quarterly forms,
cumulative since 1 January; seed 004's monthly figures) in the seeds' own words, the product's figures for the
month and the year beside them, charts of the year, and the same as Excel laid out as the forms."""

from __future__ import annotations

import datetime as dt
import io

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app import xlsx
from app.extensions import db
from models import clock, statistics
from models.hazards import HazardCategory, HazardGrade, HazardSource
from models.settings import get_setting

from . import ACCOUNTS, bp, charts, role_required, xlsx_response

# The forms' headings are the seeds' words, in Chinese whatever the reader's language: they are filled into the
# authorities' own tables.
FORM2_TITLE = "季报表（二）企业内部激励：建立事故隐患内部报告奖励机制"
FORM2_GROUP = "建立事故隐患内部报告奖励机制"
FORM2_COLUMNS = (
    "企业数量（家）",
    "兑现奖励企业数量（家）",
    "兑现奖励资金（万元）",
    "获得奖励人次",
    "内部报告隐患数量（条）",
)
FORM1_TITLE = "季报表（一）落实全员安全生产责任制：健全三张清单"
FORM1_COLUMNS = ("自查隐患数量（条）", "整改隐患数量（条）")
MONTHLY_TITLE = "事故隐患内部报告奖励机制月度统计"
MONTHLY_COLUMNS = (
    "月份",
    "建立机制的生产经营单位数量（家）",
    "发现和报告的事故隐患数量（条）",
    "其中：内部报告（条）",
    "获得奖励人次",
    "奖励金额（元）",
)
UNIT_TYPE = "企业（本单位）"


def form2_values(report: statistics.Report) -> list[object]:
    year = report.year
    return [
        1 if report.mechanism else 0,
        1 if year.hazard_rewards else 0,
        year.wan_yuan(year.hazard_reward_points),
        year.hazard_rewards,
        year.reported,
    ]


def form1_values(report: statistics.Report) -> list[object]:
    return [report.year.self_found, report.year.self_closed]


def monthly_values(month: str, found: statistics.Figures, mechanism: bool) -> list[object]:
    return [
        month,
        1 if mechanism else 0,
        sum(found.by_source.values()),
        found.reported,
        found.hazard_rewards,
        found.yuan(found.hazard_reward_points),
    ]


def product_rows(report: statistics.Report) -> list[tuple[str, object, object, str]]:
    """The product's own figures as (item, this month, this year, note): the same on screen and in Excel."""
    month, year = report.month, report.year

    def line(item: str, name: str, note: str = "") -> tuple[str, object, object, str]:
        return item, getattr(month, name), getattr(year, name), note

    rows: list[tuple[str, object, object, str]] = [
        (_("Hazards, every source"), sum(month.by_source.values()), sum(year.by_source.values()), "")
    ]
    rows += [
        (f"  {s.label}", month.by_source.get(s.value, 0), year.by_source.get(s.value, 0), "") for s in HazardSource
    ]
    by_category = _("internal reports by category")
    rows += [(f"  {by_category}", "", "", "")]
    rows += [
        (f"    {c.label}", month.by_category.get(c.value, 0), year.by_category.get(c.value, 0), "")
        for c in HazardCategory
    ]
    rows += [
        line(_("Verified as hazards"), "verified"),
        *[(f"  {g.label}", month.by_grade.get(g.value, 0), year.by_grade.get(g.value, 0), "") for g in HazardGrade],
        line(_("  of the major ones listed for supervision"), "major_supervised"),
        line(_("Not taken up"), "not_taken_up", _("not true, duplicates, already known")),
        line(_("Closed (销号)"), "closed", _("of the verified hazards, by the day")),
        (_("Rectification rate (%)"), month.rectification_rate, year.rectification_rate, _("closed / verified")),
        line(_("Overdue"), "overdue", _("past the deadline and not closed")),
        line(_("Rewards for hazard reports (person-times)"), "hazard_rewards"),
        (
            _("Rewards for hazard reports (yuan)"),
            month.yuan(month.hazard_reward_points),
            year.yuan(year.hazard_reward_points),
            _("%(points)s points this year", points=year.hazard_reward_points),
        ),
        line(_("Awards credited (entries)"), "awards", _("every kind of award; false claims left out")),
        line(_("Points credited"), "credited", _("false claims left out")),
        line(_("Deductions"), "deductions"),
        line(
            _("Points deducted (in full)"),
            "deducted",
            _("%(n)s of them not covered by the balance this year", n=year.deducted_uncovered),
        ),
        line(_("False claims"), "false_claims", _("%(points)s points, counted nowhere else", points=year.false_points)),
        line(_("Redemptions (count)"), "redemptions"),
        line(_("Points redeemed"), "redeemed", _("%(yuan)s yuan this year", yuan=year.yuan(year.redeemed))),
        (
            _("Bought this year against the budget (yuan)"),
            "",
            round(year.bought_fen / 100, 2),
            _("budget %(budget)s yuan, %(used)s%% used", budget=year.budget_yuan, used=year.budget_used)
            if year.budget_used is not None
            else _("no budget set"),
        ),
        (
            _("Points balance outstanding (liability)"),
            month.outstanding,
            year.outstanding,
            _("%(yuan)s yuan at the day's end", yuan=year.yuan(year.outstanding)),
        ),
    ]
    return rows


def _choices(today: dt.date) -> list[tuple[str, str]]:
    """Days a report is often taken as of: today, and the ends of the last 12 months."""
    days = [(today.isoformat(), _("today"))]
    day = today.replace(day=1)
    for _n in range(12):
        day -= dt.timedelta(days=1)
        days.append((day.isoformat(), f"{day:%Y-%m}"))
        day = day.replace(day=1)
    return days


def _asked() -> statistics.Report:
    return statistics.report(db.session, statistics.as_of(request.args))


@bp.get("/statistics")
@role_required(*ACCOUNTS)
def statistics_page() -> str:
    report = _asked()
    series = statistics.monthly_series(db.session, report.on.year, report.on)
    return render_template(
        "admin/statistics.html",
        report=report,
        form2=(FORM2_TITLE, FORM2_GROUP, FORM2_COLUMNS, form2_values(report)),
        form1=(FORM1_TITLE, FORM1_COLUMNS, form1_values(report)),
        monthly=(MONTHLY_TITLE, MONTHLY_COLUMNS, monthly_values(f"{report.on:%Y-%m}", report.month, report.mechanism)),
        rows=product_rows(report),
        choices=_choices(clock.today()),
        **charts.year_charts(series),
    )


def _form_sheets(book: xlsx.Workbook, report: statistics.Report) -> None:
    on, unit = report.on, get_setting(db.session, "enterprise_name") or ""
    signed = f"填报单位（盖章）：{unit}    填表人：        联系电话：        {on.year}年{on.month}月{on.day}日"
    since = (
        f"注：本表各项数据均填写{on.year}年1月1日以来累计数（截至{on.year}年{on.month}月{on.day}日）；"
        "表格不应有空白处，若无则应填写0。"
    )
    width = len(FORM2_COLUMNS) + 1
    sheet = book.sheet("季报表（二）", [], "a" * width, {0: 18, **{n: 16 for n in range(1, width)}})
    sheet.heading([FORM2_TITLE], merge=[(0, width - 1, 0)])
    sheet.write_rows([[signed]])
    sheet.heading(["填报单位类型", FORM2_GROUP, *[None] * (width - 2)], merge=[(0, 0, 1), (1, width - 1, 0)])
    sheet.heading([None, *FORM2_COLUMNS])
    sheet.write_rows([[UNIT_TYPE, *form2_values(report)], [since]])
    width = len(FORM1_COLUMNS) + 1
    sheet = book.sheet("季报表（一）", [], "a" * width, {0: 18, 1: 18, 2: 18})
    sheet.heading([FORM1_TITLE], merge=[(0, width - 1, 0)])
    sheet.write_rows([[signed]])
    sheet.heading(["填报单位类型", "健全三张清单", None], merge=[(0, 0, 1), (1, width - 1, 0)])
    sheet.heading([None, *FORM1_COLUMNS])
    sheet.write_rows(
        [[UNIT_TYPE, *form1_values(report)], [f"注：自查隐患数量以及整改隐患数量填报{on.year}年1月以来累计数。"]]
    )
    sheet = book.sheet("月度统计", [], "a" * len(MONTHLY_COLUMNS), dict.fromkeys(range(len(MONTHLY_COLUMNS)), 18))
    sheet.heading([MONTHLY_TITLE], merge=[(0, len(MONTHLY_COLUMNS) - 1, 0)])
    sheet.write_rows([[f"填报单位：{unit}"]])
    sheet.heading(list(MONTHLY_COLUMNS))
    for month in range(1, on.month + 1):
        first = dt.date(on.year, month, 1)
        last = min(on, clock.next_month(first) - dt.timedelta(days=1))
        found = statistics.figures(db.session, first, last)
        sheet.write_rows([monthly_values(f"{first:%Y-%m}", found, report.mechanism)])


@bp.get("/statistics.xlsx")
@role_required(*ACCOUNTS)
def statistics_export() -> Response:
    report = _asked()
    series = statistics.monthly_series(db.session, report.on.year, report.on)
    out = io.BytesIO()
    with xlsx.Workbook(out) as book:
        _form_sheets(book, report)
        figures = book.sheet(
            _("Figures of the enterprise"),
            [
                _("Item"),
                _("Month %(month)s", month=f"{report.on:%Y-%m}"),
                _("Year to %(day)s", day=report.on),
                _("Note"),
            ],
            "saas",
            {0: 34, 3: 40},
        )
        figures.write_rows(product_rows(report))
        departments = book.sheet(
            _("By department"),
            [_("Department"), _("Points credited"), _("Points deducted"), _("Points redeemed")],
            "snnn",
            {0: 24},
        )
        departments.write_rows(
            [name, d["credited"], d["deducted"], d["redeemed"]] for name, d in report.year.by_department.items()
        )
        months = book.sheet(
            _("By month"),
            [_("Month"), _("Points credited"), _("Points redeemed"), *[c.label for c in HazardCategory]],
            "s" + "n" * (2 + len(HazardCategory)),
        )
        months.write_rows(
            [month, series.credited[n], series.redeemed[n], *[series.hazards[c.value][n] for c in HazardCategory]]
            for n, month in enumerate(series.months)
        )
    return xlsx_response(out.getvalue(), f"statistics-{report.on.isoformat()}.xlsx")
