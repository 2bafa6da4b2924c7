"""QR posters for places, as PDF: one place a page, A4 or A5.

A band in the place's risk colour, the place's name and where it is, a large QR code drawn as vector
squares (sharp at any printer resolution) that opens the place's report page, and three lines of
instructions in Chinese. Chinese text uses the PDF standard CID font STSong-Light, which every PDF viewer
and printer driver in China can show without a font file being embedded: posters stay small and fast.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
SIZES = {"A4": A4, "A5": A5}
INSTRUCTIONS = (
    "① 连接厂区无线网络，用手机扫描上方二维码",
    "② 选择隐患类别，写明情况，可拍照（最多4张）",
    "③ 实名或匿名提交，凭查询链接跟踪整改和奖励",
)
RISK_COLOURS = {"red": "#d7261e", "orange": "#f08a00", "yellow": "#f5c400", "blue": "#1f6fd1"}
RISK_NAMES = {
    "red": "红色 · 重大风险",
    "orange": "橙色 · 较大风险",
    "yellow": "黄色 · 一般风险",
    "blue": "蓝色 · 低风险",
}

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class PosterPlace:
    """What a poster shows of a place (kept apart from the database row so posters render anywhere)."""

    name: str
    path: str
    risk: str
    url: str


def qr_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def fit_text(canvas: Canvas, text: str, size: float, width: float) -> float:
    """The font size (at most ``size``) at which ``text`` fits ``width``."""
    wide = pdfmetrics.stringWidth(text, FONT, size)
    return size if wide <= width else size * width / wide


def draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, side: float) -> None:
    """The code with a quiet zone of 4 modules inside a white square of ``side`` at (x, y) bottom-left."""
    count = len(matrix) + 8
    module = side / count
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColor(black)
    for row, cells in enumerate(matrix):
        top = y + side - (row + 4 + 1) * module
        col = 0
        while col < len(cells):  # runs of dark modules become one rectangle: smaller files, no hairlines
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < len(cells) and cells[col]:
                col += 1
            canvas.rect(x + (start + 4) * module, top, (col - start) * module, module * 1.02, stroke=0, fill=1)


def _page(canvas: Canvas, place: PosterPlace, size: tuple[float, float], title: str) -> None:
    width, height = size
    unit = width / 100  # everything scales with the paper
    colour = HexColor(RISK_COLOURS.get(place.risk, RISK_COLOURS["blue"]))
    band = 16 * unit
    canvas.setFillColor(colour)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.rect(0, 0, width, 3 * unit, stroke=0, fill=1)
    canvas.setFillColor(black if place.risk == "yellow" else white)
    canvas.setFont(FONT, fit_text(canvas, title, 8 * unit, width - 10 * unit))
    canvas.drawCentredString(width / 2, height - band * 0.62, title)

    canvas.setFillColor(black)
    name_size = fit_text(canvas, place.name, 9 * unit, width - 10 * unit)
    canvas.setFont(FONT, name_size)
    canvas.drawCentredString(width / 2, height - band - 12 * unit, place.name)
    canvas.setFont(FONT, fit_text(canvas, place.path, 3.6 * unit, width - 10 * unit))
    canvas.drawCentredString(width / 2, height - band - 18 * unit, place.path)
    risk = f"风险等级：{RISK_NAMES.get(place.risk, '')}"
    canvas.setFillColor(colour)
    canvas.roundRect(width / 2 - 24 * unit, height - band - 26.5 * unit, 48 * unit, 6 * unit, unit, stroke=0, fill=1)
    canvas.setFillColor(black if place.risk == "yellow" else white)
    canvas.setFont(FONT, 3.6 * unit)
    canvas.drawCentredString(width / 2, height - band - 24.8 * unit, risk)

    side = 62 * unit
    qr_bottom = height - band - 30 * unit - side
    draw_qr(canvas, qr_matrix(place.url), (width - side) / 2, qr_bottom, side)

    canvas.setFillColor(black)
    line = 6.2 * unit
    for n, text in enumerate(INSTRUCTIONS):
        canvas.setFont(FONT, fit_text(canvas, text, 4.2 * unit, width - 12 * unit))
        canvas.drawString(7 * unit, qr_bottom - 8 * unit - n * line, text)
    canvas.setFont("Helvetica", 2.2 * unit)
    canvas.setFillColor(HexColor("#555555"))
    canvas.drawCentredString(width / 2, 5 * unit, place.url)


def posters_pdf(places: Iterable[PosterPlace], paper: str = "A4", title: str = "发现隐患 · 扫码上报") -> bytes:
    """One page a place. ``paper`` is "A4" or "A5"."""
    size = SIZES[paper]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=size, pageCompression=1)
    canvas.setTitle(title)
    pages = 0
    for place in places:
        _page(canvas, place, size, title)
        canvas.showPage()
        pages += 1
    if not pages:
        raise ValueError("a poster needs at least one place")
    canvas.save()
    return out.getvalue()
