"""A redemption slip: laid out for 58 mm (32 columns) or 80 mm (48 columns) paper, then turned into ESC/POS
bytes through python-escpos, or into a PNG preview with Pillow.

The layout is pure: it takes a ``Slip`` and gives lines of text. Chinese characters take two columns on a
receipt printer (East Asian wide), so widths are counted in display columns, never in characters.

Chinese printers take GB18030. python-escpos switches to GB18030 only for text that holds CJK ideographs
and sends everything else through its code pages, where full-width punctuation (，。：) and ¥ become '?'.
``FixedEncoding`` replaces that logic: with a profile encoding set, every piece of text goes out in it.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

import qrcode
from escpos.escpos import Escpos
from escpos.magicencode import MagicEncode
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from models import clock, printing

WIDTHS = printing.PAPER_COLUMNS  # paper width in mm -> columns of the standard font
DOTS = {32: 384, 48: 576}  # printable dots across at 203 dpi
CHINESE_MODE_ON = b"\x1c\x26"  # FS &: double-byte (GB18030) character mode on


@dataclass(frozen=True)
class SlipLine:
    name: str
    quantity: int
    points: int  # for the whole line


@dataclass(frozen=True)
class Slip:
    store_name: str
    kiosk_name: str
    printed_at: dt.datetime  # the plant's local time
    employee_name: str
    employee_number: str
    lines: tuple[SlipLine, ...]
    total: int
    balance_after: int | None  # None: a claim code paid (what is left on it is printed nowhere)
    number: str
    footer: str = "凭此单领取商品，请妥善保管"
    reprint: bool = False


@dataclass
class Block:
    """A run of lines printed alike: ``style`` is normal, bold or title (double size)."""

    lines: list[str] = field(default_factory=list)
    align: str = "left"
    style: str = "normal"
    qr: str | None = None  # a block may instead be a QR code of this text


# --------------------------------------------------------------------------- widths


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns, never splitting a wide character."""
    lines, current, used = [], "", 0
    for ch in text:
        w = char_width(ch)
        if used + w > width:
            lines.append(current)
            current, used = "", 0
        current += ch
        used += w
    return [*lines, current] if current or not lines else lines


def pad(text: str, width: int, align: str = "left") -> str:
    gap = max(0, width - display_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def two_sides(left: str, right: str, width: int) -> str:
    """``left`` and ``right`` on one line, pushed apart (``left`` is cut if both do not fit)."""
    room = width - display_width(right) - 1
    left = wrap(left, room)[0] if display_width(left) > room else left
    return pad(left, width - display_width(right)) + right


# --------------------------------------------------------------------------- layout


def printable(text: str) -> str:
    """``text`` with nothing a printer could take as a command: control characters (ESC, GS, DLE ...),
    format and private-use characters are dropped, every kind of line break and tab becomes a space. Only
    the layout itself sends commands."""
    return "".join(_printable_char(ch) for ch in text)


@cache
def _printable_char(ch: str) -> str:
    if ch.isspace():
        return ch if ch in " \u3000" else " "
    return "" if unicodedata.category(ch)[0] == "C" else ch


def _printable_slip(slip: Slip) -> Slip:
    return replace(
        slip,
        store_name=printable(slip.store_name),
        kiosk_name=printable(slip.kiosk_name),
        employee_name=printable(slip.employee_name),
        employee_number=printable(slip.employee_number),
        lines=tuple(replace(line, name=printable(line.name)) for line in slip.lines),
        number=printable(slip.number),
        footer=printable(slip.footer),
    )


def layout(slip: Slip, columns: int) -> list[Block]:
    if columns not in DOTS:
        raise ValueError(f"a slip is 32 or 48 columns wide, not {columns}")
    slip = _printable_slip(slip)
    rule = "-" * columns
    qty_w, pts_w = (5, 7) if columns == 32 else (6, 9)
    name_w = columns - qty_w - pts_w
    items = [pad("商品", name_w) + pad("数量", qty_w, "right") + pad("积分", pts_w, "right")]
    for line in slip.lines:
        parts = wrap(line.name, name_w - 1)
        items.append(
            pad(parts[0], name_w) + pad(f"x{line.quantity}", qty_w, "right") + pad(str(line.points), pts_w, "right")
        )
        items += [f" {part}" for part in parts[1:]]
    head = [
        two_sides("终端：", slip.kiosk_name, columns),
        two_sides("时间：", clock.local_time_text(slip.printed_at), columns),
        two_sides("员工：", f"{slip.employee_name}（{slip.employee_number}）", columns),
        two_sides("单号：", slip.number, columns),
    ]
    totals = [two_sides("合计：", f"{slip.total} 积分", columns)]
    if slip.balance_after is not None:
        totals.append(two_sides("兑换后余额：", f"{slip.balance_after} 积分", columns))
    blocks = [
        Block([slip.store_name], "center", "title"),
        Block(["积分兑换单" + ("（补打）" if slip.reprint else "")], "center", "bold"),
        Block([rule, *head, rule, *items, rule]),
        Block(totals, style="bold"),
        Block([rule]),
        Block(qr=slip.number, align="center"),
        Block([slip.number], "center"),
        Block(wrap(slip.footer, columns), "center"),
    ]
    return blocks


def text_of(slip: Slip, columns: int) -> str:
    """The slip as plain text, line by line (what the printer shows, without the QR picture)."""
    out = []
    for block in layout(slip, columns):
        if block.qr is None:
            width = columns // 2 if block.style == "title" else columns
            out += [pad(line, width, block.align).rstrip() for line in block.lines]
    return "\n".join(out)


def slip_qr(text: str, box: int = 6) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=2)
    code.add_data(text)
    code.make(fit=True)
    picture: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return picture.convert("1")


# --------------------------------------------------------------------------- ESC/POS


class FixedEncoding(MagicEncode):
    """Send all text in one encoding (GB18030 on Chinese printers) instead of guessing code pages."""

    def __init__(self, driver: Escpos, encoding: str) -> None:
        super().__init__(driver, encoding=None)
        self.fixed = encoding

    def write(self, text: str) -> None:
        self.driver._raw(text.encode(self.fixed, errors="replace"))


def use_encoding(printer: Escpos, encoding: str) -> None:
    """Make ``printer`` write text in ``encoding`` ("gb18030" for Chinese printers); "magic" keeps
    python-escpos's own code-page switching (for printers without a Chinese font)."""
    if encoding != "magic":
        printer.magic = FixedEncoding(printer, encoding)


def write_escpos(
    printer: Escpos, slip: Slip, columns: int, *, encoding: str = "gb18030", native_qr: bool = False
) -> None:
    """Print ``slip`` on ``printer`` (any python-escpos printer: a Dummy collects the bytes)."""
    use_encoding(printer, encoding)
    # python-escpos centres and checks images against the paper's width in dots; tell it, whatever the profile.
    printer.profile.profile_data.setdefault("media", {}).setdefault("width", {})["pixels"] = DOTS[columns]
    printer.hw("INIT")
    if encoding.lower() in ("gb18030", "gbk", "gb2312"):
        printer._raw(CHINESE_MODE_ON)
    for block in layout(slip, columns):
        printer.set(
            align=block.align,
            bold=block.style != "normal",
            double_height=block.style == "title",
            double_width=block.style == "title",
            normal_textsize=block.style != "title",
        )
        if block.qr is not None:
            if native_qr:
                printer.qr(block.qr, size=6, native=True, center=True)
            else:
                printer.image(slip_qr(block.qr), center=False)
            continue
        for line in block.lines:
            printer.text(line.rstrip() + "\n")
    printer.set(normal_textsize=True)
    printer.cut()


def escpos_bytes(slip: Slip, columns: int, *, encoding: str = "gb18030", native_qr: bool = False) -> bytes:
    dummy = Dummy()
    write_escpos(dummy, slip, columns, encoding=encoding, native_qr=native_qr)
    return bytes(dummy.output)


# --------------------------------------------------------------------------- preview


FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=2 if path.endswith("NotoSansCJK-Regular.ttc") else 0)
    return ImageFont.load_default(size)  # no CJK font installed: Latin only (deploy installs fonts-noto-cjk)


GLYPH_PAD = 4  # room around a glyph for its stroke and any overhang


@lru_cache(maxsize=4096)
def _glyph(ch: str, size: int, stroke: int) -> Image.Image:
    """One character drawn once as a mask (white on black), its pen position at (GLYPH_PAD, GLYPH_PAD): a slip
    repeats its characters (digits, dashes, the store's name), and drawing each anew was most of a preview."""
    font = _font(size)
    _, _, right, bottom = font.getbbox(ch, stroke_width=stroke)
    mask = Image.new("L", (int(right) + 2 * GLYPH_PAD, int(bottom) + 2 * GLYPH_PAD), 0)
    ImageDraw.Draw(mask).text((GLYPH_PAD, GLYPH_PAD), ch, fill=255, font=font, stroke_width=stroke, stroke_fill=255)
    return mask


@lru_cache(maxsize=4096)
def _centring(ch: str, size: int, stroke: int, room: int) -> int:
    """How far right of its columns' left edge ``ch`` is drawn so that its ink sits in their middle."""
    ink = _glyph(ch, size, stroke).getbbox()
    if ink is None:
        return 0
    return (room - (ink[2] - ink[0])) // 2 - (ink[0] - GLYPH_PAD)


def draw_on_grid(canvas: Image.Image, text: str, x: int, y: int, *, size: int, step: int, stroke: int) -> None:
    """Draw ``text`` one character at a time on the printer's grid (a column ``step`` dots wide, two for a wide
    character), each centred in its columns as the printer's fixed-width font puts it: a dash or a colon of the
    picture's proportional font then sits where the printed one does, not against the left of its column."""
    column = 0
    for ch in text:
        if not ch.isspace():
            mask = _glyph(ch, size, stroke)
            offset = _centring(ch, size, stroke, char_width(ch) * step)
            canvas.paste(0, (x + column * step + offset - GLYPH_PAD, y - GLYPH_PAD), mask)
        column += char_width(ch)


def preview_png(slip: Slip, columns: int) -> bytes:
    """A picture of the printed slip, at the printer's own resolution (8 dots a mm)."""
    width = DOTS[columns]
    cell = width // columns  # the width of one column in dots
    margin = 16
    # Each row is a QR code's picture, or a line of text with its alignment, in a block's style.
    rows: list[tuple[str, Image.Image | tuple[str, str]]] = []
    for block in layout(slip, columns):
        if block.qr is not None:
            rows.append(("qr", slip_qr(block.qr, box=5)))
            continue
        for line in block.lines:
            rows.append((block.style, (line, block.align)))
    height = margin * 2 + sum(
        content.height + 8 if isinstance(content, Image.Image) else (cell * 6 if kind == "title" else cell * 3)
        for kind, content in rows
    )
    canvas = Image.new("L", (width + margin * 2, height), 255)
    y = margin
    for kind, content in rows:
        if isinstance(content, Image.Image):
            canvas.paste(content, (margin + (width - content.width) // 2, y))
            y += content.height + 8
            continue
        text, align = content
        size, step = (cell * 4, cell * 2) if kind == "title" else (cell * 2, cell)
        used = display_width(text) * step
        x = margin + {"left": 0, "center": (width - used) // 2, "right": width - used}[align]
        draw_on_grid(canvas, text, x, y, size=size, step=step, stroke=0 if kind == "normal" else 1)
        y += cell * 6 if kind == "title" else cell * 3
    out = io.BytesIO()
    canvas.save(out, "PNG")  # zlib's default level: "optimize" made it 10% smaller and 8 times slower
    return out.getvalue()
