"""Printed sheets for the store, as PDF: shelf labels and the stock-take count sheet.

The seed wants every item on the shelf marked with its points value: a label carries the name, the points
price in large type and a band in the tier's colour (the kiosk uses the same colours). The count sheet lists
every item with the stock the system expects and an empty column for what is counted, with signature lines.
Chinese text uses the PDF standard CID font, as the posters do.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .posters import FONT, draw_qr, fit_text, qr_matrix

TIER_COLOURS = {"low": "#2e7d32", "mid": "#1565c0", "high": "#6a1b9a"}
TIER_NAMES = {"low": "低档", "mid": "中档", "high": "高档"}

# Shelf labels: 3 x 8 on A4, 70 x 37 mm (the common sticker sheet); a plain sheet is cut along the lines.
LABEL_W, LABEL_H, LABEL_COLS, LABEL_ROWS = 70 * mm, 37 * mm, 3, 8


@dataclass(frozen=True)
class Label:
    name: str
    points: int
    tier: str
    category: str
    barcode: str = ""  # the goods' own code, printed as bars a storekeeper's scanner reads


@dataclass(frozen=True)
class CountRow:
    number: int
    name: str
    category: str
    expected: int


def _new(title: str) -> tuple[io.BytesIO, Canvas]:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    return out, canvas


def _label(canvas: Canvas, label: Label, x: float, y: float) -> None:
    colour = HexColor(TIER_COLOURS.get(label.tier, TIER_COLOURS["low"]))
    canvas.setStrokeColor(HexColor("#bbbbbb"))
    canvas.setLineWidth(0.3)
    canvas.rect(x, y, LABEL_W, LABEL_H, stroke=1, fill=0)
    canvas.setFillColor(colour)
    canvas.rect(x, y + LABEL_H - 7 * mm, LABEL_W, 7 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(FONT, 9)
    canvas.drawString(x + 3 * mm, y + LABEL_H - 5 * mm, f"{TIER_NAMES.get(label.tier, '')} · {label.category}")
    canvas.setFillColor(black)
    canvas.setFont(FONT, fit_text(canvas, label.name, 13, LABEL_W - 6 * mm))
    canvas.drawString(x + 3 * mm, y + LABEL_H - 14 * mm, label.name)
    points = str(label.points)
    canvas.setFont("Helvetica-Bold", fit_text(canvas, points, 30, LABEL_W - 26 * mm))
    canvas.drawRightString(x + LABEL_W - 17 * mm, y + 5 * mm, points)
    canvas.setFont(FONT, 11)
    canvas.drawString(x + LABEL_W - 15 * mm, y + 5 * mm, "积分")
    if label.barcode:
        _bars(canvas, label.barcode, x + 3 * mm, y + 2.5 * mm, 28 * mm, 15 * mm)  # left of the points


def _bars(canvas: Canvas, code: str, x: float, y: float, width: float, height: float) -> None:
    """An EAN-13 as such, any other code as Code 128, fitted into ``width`` x ``height`` (text under it)."""
    kind = "EAN13" if len(code) == 13 and code.isdigit() else "Code128"
    drawing = createBarcodeDrawing(kind, value=code, humanReadable=True, barHeight=height * 0.7)
    scale = min(width / drawing.width, height / drawing.height)
    drawing.scale(scale, scale)
    renderPDF.draw(drawing, canvas, x, y)


def shelf_labels_pdf(labels: Iterable[Label], title: str = "货架标签") -> bytes:
    out, canvas = _new(title)
    width, height = A4
    left = (width - LABEL_COLS * LABEL_W) / 2
    top = (height - LABEL_ROWS * LABEL_H) / 2
    n = 0
    for n, label in enumerate(labels, start=1):
        slot = (n - 1) % (LABEL_COLS * LABEL_ROWS)
        if slot == 0 and n > 1:
            canvas.showPage()
        row, col = divmod(slot, LABEL_COLS)
        _label(canvas, label, left + col * LABEL_W, height - top - (row + 1) * LABEL_H)
    if n == 0:
        raise ValueError("labels need at least one item")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


COUNT_COLUMNS = (("序号", 14), ("商品", 78), ("类别", 28), ("账面数量", 22), ("实盘数量", 22), ("差异", 18))


def count_sheet_pdf(rows: Sequence[CountRow], *, store: str, when: str) -> bytes:
    """The stock-take sheet: one line an item, 30 lines a page, headed and signed on every page."""
    title = f"{store} 库存盘点表"
    out, canvas = _new(title)
    width, height = A4
    per_page, line = 30, 7.5 * mm
    pages = max(1, -(-len(rows) // per_page))
    for page in range(pages):
        canvas.setFont(FONT, 15)
        canvas.drawCentredString(width / 2, height - 18 * mm, title)
        canvas.setFont(FONT, 9)
        canvas.drawString(15 * mm, height - 26 * mm, f"盘点日期：{when}        第 {page + 1} / {pages} 页")
        y = height - 34 * mm
        x = 15 * mm
        canvas.setFillColor(HexColor("#eeeeee"))
        canvas.rect(x, y - 2 * mm, sum(w for _, w in COUNT_COLUMNS) * mm, line, stroke=0, fill=1)
        canvas.setFillColor(black)
        for head, w in COUNT_COLUMNS:
            canvas.drawString(x + 1.5 * mm, y, head)
            x += w * mm
        for row in rows[page * per_page : (page + 1) * per_page]:
            y -= line
            x = 15 * mm
            cells = (str(row.number), row.name, row.category, str(row.expected), "", "")
            for cell, (_, w) in zip(cells, COUNT_COLUMNS, strict=True):
                canvas.setFont(FONT, fit_text(canvas, cell, 9, w * mm - 3 * mm))
                canvas.drawString(x + 1.5 * mm, y, cell)
                x += w * mm
            canvas.setStrokeColor(HexColor("#999999"))
            canvas.line(15 * mm, y - 2.5 * mm, x, y - 2.5 * mm)
        canvas.setFont(FONT, 10)
        canvas.drawString(15 * mm, 20 * mm, "盘点人：____________    复核人：____________    日期：____________")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


# Cards: CR80 (ISO/IEC 7810 ID-1), 85.60 x 53.98 mm, 2 x 5 on A4, cut along the thin outline.
CARD_W, CARD_H, CARD_COLS, CARD_ROWS = 85.6 * mm, 53.98 * mm, 2, 5
CARD_COLOUR = "#1d4e89"


@dataclass(frozen=True)
class CardFace:
    name: str
    number: str
    department: str
    url: str  # what the QR code carries: http(s)://server/c/<token>


def _card(canvas: Canvas, card: CardFace, store: str, x: float, y: float) -> None:
    canvas.setStrokeColor(HexColor("#bbbbbb"))
    canvas.setLineWidth(0.3)
    canvas.roundRect(x, y, CARD_W, CARD_H, 3 * mm, stroke=1, fill=0)
    canvas.setFillColor(HexColor(CARD_COLOUR))
    canvas.rect(x, y + CARD_H - 10 * mm, CARD_W, 10 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(FONT, fit_text(canvas, f"{store} · 安全积分卡", 11, CARD_W - 8 * mm))
    canvas.drawString(x + 4 * mm, y + CARD_H - 6.5 * mm, f"{store} · 安全积分卡")
    side = 36 * mm
    draw_qr(canvas, qr_matrix(card.url), x + CARD_W - side - 2.5 * mm, y + 3 * mm, side)
    text_width = CARD_W - side - 8 * mm
    canvas.setFillColor(black)
    canvas.setFont(FONT, fit_text(canvas, card.name, 16, text_width))
    canvas.drawString(x + 4 * mm, y + CARD_H - 20 * mm, card.name)
    canvas.setFont("Helvetica", fit_text(canvas, card.number, 11, text_width))
    canvas.drawString(x + 4 * mm, y + CARD_H - 27 * mm, card.number)
    canvas.setFont(FONT, fit_text(canvas, card.department, 9, text_width))
    canvas.drawString(x + 4 * mm, y + CARD_H - 33 * mm, card.department)
    canvas.setFont(FONT, 6.5)
    canvas.setFillColor(HexColor("#555555"))
    canvas.drawString(x + 4 * mm, y + 5 * mm, "凭卡在积分超市终端扫码")
    canvas.drawString(x + 4 * mm, y + 2.3 * mm, "遗失请即挂失补办")


def card_sheet_pdf(cards: Sequence[CardFace], *, store: str) -> bytes:
    """Employee cards, ten to an A4 page, each with the holder's QR code."""
    if not cards:
        raise ValueError("a card sheet needs at least one card")
    out, canvas = _new(f"{store} 积分卡")
    width, height = A4
    left = (width - CARD_COLS * CARD_W) / 2
    top = (height - CARD_ROWS * CARD_H) / 2
    per_page = CARD_COLS * CARD_ROWS
    for n, card in enumerate(cards):
        if n and n % per_page == 0:
            canvas.showPage()
        row, col = divmod(n % per_page, CARD_COLS)
        _card(canvas, card, store, left + col * CARD_W, height - top - (row + 1) * CARD_H)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
