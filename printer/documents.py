"""Documents of several pages as PDF: headings, lines of text and tables that flow from page to page, every
page numbered and footed. The county's half-yearly check is one.

Every text is data, never markup: it is escaped before reportlab's paragraphs read it (a name typed as
``<b>`` stays those three characters), and characters a page cannot show are dropped.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from .posters import FONT

# CJK wrapping: without it a paragraph that mixes Chinese with the signs "<" or "&" loses the Chinese characters
# beside them (王<b>总</b> came out as "<b> </b>").
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
TITLE = ParagraphStyle("title", parent=BODY, fontSize=16, leading=22, alignment=1, spaceAfter=4 * mm)
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontSize=12, leading=17, spaceBefore=5 * mm, spaceAfter=2 * mm, keepWithNext=1
)
NOTE = ParagraphStyle("note", parent=BODY, spaceBefore=1.5 * mm)
SIGN = ParagraphStyle("sign", parent=BODY, fontSize=11, spaceBefore=9 * mm)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=11)
NUMBER = ParagraphStyle("number", parent=CELL, alignment=2)


def _text(value: object) -> str:
    text = "" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)
    return escape("".join(ch for ch in text if ch.isprintable() or ch == "\n")).replace("\n", "<br/>")


@dataclass
class Section:
    heading: str
    lines: Sequence[str] = ()  # paragraphs before the table
    header: Sequence[str] = ()
    rows: Sequence[Sequence[object]] = ()
    widths: Sequence[float] = ()  # in mm; the table's columns
    numbers_from: int = 1  # columns from this one are figures, set to the right
    notes: Sequence[str] = field(default_factory=tuple)  # paragraphs after the table
    signing: bool = False  # its lines are to sign on: room to write after each


def document_pdf(title: str, sections: Sequence[Section], *, subtitle: str = "", footer: str = "") -> bytes:
    out = io.BytesIO()
    page = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=18 * mm
    )
    page.title = title
    story: list[object] = [Paragraph(_text(title), TITLE)]
    if subtitle:
        story.append(Paragraph(_text(subtitle), BODY))
    for section in sections:
        story.append(Paragraph(_text(section.heading), HEADING))
        story += [Paragraph(_text(line), SIGN if section.signing else BODY) for line in section.lines]
        if section.header:
            story.append(_table(section))  # its space above is its own: the heading keeps with the table
        story += [Paragraph(_text(line), NOTE) for line in section.notes]

    def foot(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(15 * mm, 10 * mm, "".join(ch for ch in footer if ch.isprintable()))
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    page.build(story, onFirstPage=foot, onLaterPages=foot)
    return out.getvalue()


def _table(section: Section) -> Table:
    def cell(n: int, value: object) -> Paragraph:
        return Paragraph(_text(value), NUMBER if n >= section.numbers_from else CELL)

    data = [[Paragraph(_text(h), CELL) for h in section.header]]
    data += [[cell(n, v) for n, v in enumerate(row)] for row in section.rows]
    table = Table(
        data, colWidths=[w * mm for w in section.widths] or None, repeatRows=1, hAlign="LEFT", spaceBefore=1.5 * mm
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table
