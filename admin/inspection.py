"""The county's half-yearly check (models/inspection.py): one document of how the scheme ran in a half year, on
screen, as PDF to print and sign, and as Excel. Its words are Chinese whatever the reader's language: it is
the enterprise's report to the authorities, as the statistics forms are."""

from __future__ import annotations

import io

from flask import render_template, request
from werkzeug.wrappers import Response

from app import xlsx
from app.extensions import db
from app.forms import clip
from models import clock, inspection
from models.settings import get_setting
from printer.documents import Section, document_pdf

from . import MONEY, bp, pdf_response, role_required, xlsx_response

TITLE = "安全积分制度运行情况半年报告"


def _yuan(fen: int) -> float:
    return round(fen / 100, 2)


def _members(check: inspection.Check) -> list[list[object]]:
    return [
        [
            m.post_words,
            m.name,
            m.title,
            m.department.name if m.department else "",
            m.duty,
            f"{m.since} 至 {m.until or '今'}",
        ]
        for m in check.members
    ] or [["（未登记）", "", "", "", "", ""]]


def sections(check: inspection.Check, unit: str) -> list[Section]:
    """The document's sections, the same on the page, in the PDF and in Excel. Figures are numbers (yuan to two
    places, rates in %), so the Excel sheet adds them up."""
    figures = check.figures
    assert figures is not None
    rate = figures.points_per_yuan
    departments: list[list[object]] = [[d.name, d.people, d.earned, d.share, d.reported] for d in check.departments]
    total_share = round(100 * check.earned / check.people, 1) if check.people else 0.0
    departments.append(["合计", check.people, check.earned, total_share, check.reported])
    budget: list[list[object]] = [
        ["年度预算（元）", float(check.budget_yuan) if check.budget_yuan else "未设（或往年未保存）"],
        ["截至期末年度采购（元）", _yuan(check.year_bought_fen)],
        ["预算使用率（%）", check.budget_used if check.budget_used is not None else "—"],
    ]
    uncosted = [f"另有 {check.uncosted_pieces} 件入库时未记采购成本，未计入采购金额。"] if check.uncosted_pieces else []
    running = [f"本半年尚未结束：数据截至 {check.last}。"] if check.last < check.half.last else []
    owed = figures.outstanding + check.code_outstanding_points
    return [
        Section(
            "一、基本情况",
            lines=[
                f"单位：{unit or '（未设置单位名称）'}",
                f"期间：{check.half.first} 至 {check.last}（{check.half.words}）",
                f"制表时间：{clock.today()}",
                *running,
            ],
        ),
        Section(
            "二、组织机构（领导小组、积分管理员）",
            header=["职务", "姓名", "岗位", "部门", "负责", "任职期间"],
            rows=_members(check),
            widths=[26, 24, 28, 30, 34, 38],
            numbers_from=9,
        ),
        Section(
            "三、参与情况（按部门）",
            header=["部门", "在册人数", "获得积分人数", "参与率（%）", "实名报告隐患人数"],
            rows=departments,
            widths=[60, 28, 32, 28, 32],
            notes=[
                "在册人数、获得积分人数和报告人数均按期末在册的人员计。",
                f"匿名报告隐患 {check.anonymous_reports} 条（不计入个人）。",
            ],
        ),
        Section(
            "四、审核与公示",
            header=["项目", "数量"],
            rows=[
                ["按期完成审核（件）", check.reviewed_on_time],
                ["逾期完成审核（件）", check.reviewed_late],
                ["按期审核率（%）", check.on_time_rate],
                ["期末逾期未审核（件）", check.waiting_late],
                ["公示期内异议（件）", check.objections],
                ["查实虚报（件）", figures.false_claims],
            ],
            widths=[90, 50],
            notes=["审核按每轮的到期日计：公示期内有异议的，重新审核另计到期日。隐患奖励随核实自动审核，不计入。"],
        ),
        Section(
            "五、积分与兑换",
            header=["项目", "数量"],
            rows=[
                ["发放积分（积分，虚报不计）", figures.credited],
                ["扣减积分（积分，按分值全额）", figures.deducted],
                ["其中因余额不足未扣（积分）", figures.deducted_uncovered],
                ["兑换次数", figures.redemptions],
                ["兑换积分（积分）", figures.redeemed],
                ["兑出商品价值（元）", _yuan(check.handed_out_fen)],
                ["采购商品金额（元）", _yuan(check.bought_fen)],
                ["期末员工积分余额（积分）", figures.outstanding],
                ["期末领奖码积分余额（积分）", check.code_outstanding_points],
                ["期末积分余额折合（元）", round(owed / rate, 2)],
                ["在售商品（种，制表时）", check.goods_on_offer],
                ["其中低于库存警戒（种，制表时）", check.goods_low],
                ["库存价值（元，按商品价值，制表时）", _yuan(check.stock_value_fen)],
            ],
            widths=[90, 50],
            notes=[f"积分折算：{rate} 积分 = 1 元。", *uncosted],
        ),
        Section(
            "六、事故隐患",
            header=["项目", "数量"],
            rows=[
                ["发现和报告隐患（条，各来源）", sum(figures.by_source.values())],
                ["其中内部报告（条）", figures.reported],
                ["核实为隐患（条）", figures.verified],
                ["已整改销号（条）", figures.closed],
                ["整改率（%）", figures.rectification_rate],
                ["逾期未整改（条）", figures.overdue],
                ["重大隐患挂牌督办（条）", figures.major_supervised],
                ["隐患报告奖励（人次）", figures.hazard_rewards],
                ["隐患报告奖励（元）", figures.yuan(figures.hazard_reward_points)],
            ],
            widths=[90, 50],
        ),
        Section("七、经费", header=["项目", "金额"], rows=budget, widths=[90, 50]),
        Section(
            "八、积分台账核验",
            lines=[
                f"期末台账链头：{check.chain_head}",
                f"核验方法：在服务器上运行 mart ledger verify --checkpoint {check.chain_head}，"
                "结果为通过即说明该条记录及其之前的全部积分记录未被改动。",
            ],
        ),
        Section("九、签字", lines=SIGNATURES, signing=True),
    ]


SIGNATURES = ("填报单位（盖章）：", "单位负责人（签字）：", "积分管理员（签字）：", "填表人（签字）：", "日期：")


def _asked() -> tuple[inspection.Check, str]:
    half = inspection.parse_half(clip(request.args.get("half")))
    return inspection.half_year_check(db.session, half), get_setting(db.session, "enterprise_name") or ""


@bp.get("/half-year")
@role_required(*MONEY)
def half_year_page() -> str:
    check, unit = _asked()
    today = clock.today()
    halves = [inspection.Half(y, s) for y in range(today.year, today.year - 3, -1) for s in (True, False)]
    return render_template(
        "admin/half_year.html",
        check=check,
        title=TITLE,
        sections=sections(check, unit),
        halves=[h for h in halves if h.first <= today],
    )


@bp.get("/half-year.pdf")
@role_required(*MONEY)
def half_year_pdf() -> Response:
    check, unit = _asked()
    pdf = document_pdf(
        f"{unit}{TITLE}",
        sections(check, unit),
        subtitle=check.half.words,
        footer=f"{unit}{TITLE} · {check.half.words} · 台账链头 {check.chain_head}",
    )
    return pdf_response(pdf, f"half-year-{check.half.key}.pdf")


@bp.get("/half-year.xlsx")
@role_required(*MONEY)
def half_year_export() -> Response:
    check, unit = _asked()
    out = io.BytesIO()
    with xlsx.Workbook(out) as book:
        for section in sections(check, unit):
            name = section.heading.split("、", 1)[-1][:28]
            header = list(section.header) or ["内容"]
            sheet = book.sheet(name, header, "a" * len(header), dict.fromkeys(range(len(header)), 20))
            sheet.write_rows([[line, *[None] * (len(header) - 1)] for line in section.lines])
            sheet.write_rows([list(row) for row in section.rows])
            sheet.write_rows([[line, *[None] * (len(header) - 1)] for line in section.notes])
    return xlsx_response(out.getvalue(), f"half-year-{check.half.key}.xlsx")
