"""The slip: what arrives at the printer, read back byte by byte, and its preview."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
import zxingcpp
from escpos.printer import Dummy
from PIL import Image

from printer import receipt
from printer.receipt import Slip, SlipLine, display_width
from tests.printer.escpos_reader import read

SLIP = Slip(
    store_name="安全积分超市",
    kiosk_name="一号终端（食堂）",
    printed_at=dt.datetime(2026, 11, 23, 12, 5),
    employee_name="刘德华",
    employee_number="E01234",
    lines=(
        SlipLine("洗衣液", 2, 200),
        SlipLine("劳保手套（10副）加长款式的名字", 3, 225),
        SlipLine("Safety glasses 护目镜", 1, 125),
    ),
    total=550,
    balance_after=380,
    number="DH-2026-000123",
)


@pytest.mark.parametrize("columns", [32, 48])
def test_the_bytes_sent_decode_as_gb18030_to_the_whole_slip(columns):
    printout = read(receipt.escpos_bytes(SLIP, columns))
    text = printout.text("gb18030")
    assert "?" not in text
    for expected in (
        "安全积分超市",
        "积分兑换单",
        "终端：",
        "一号终端（食堂）",
        "员工：",
        "刘德华（E01234）",
        "洗衣液",
        "x2",
        "合计：",
        "550 积分",
        "兑换后余额：",
        "380 积分",
        "DH-2026-000123",
        "凭此单领取商品，请妥善保管",
    ):
        assert expected in text
    # Alignment is a printer command, so centred lines arrive unpadded: compare the lines without edges.
    sent = [line.strip() for line in text.splitlines()]
    assert sent == [line.strip() for line in receipt.text_of(SLIP, columns).splitlines()]
    assert printout.chinese_mode and printout.cut


def test_punctuation_and_the_yuan_sign_arrive_printable():
    slip = Slip(
        "超市",
        "1",
        dt.datetime(2026, 1, 1),
        "王",
        "E1",
        (SlipLine("¥ 12，。：", 1, 1),),
        1,
        0,
        "DH-1",
        footer="：，。¥",
    )
    text = read(receipt.escpos_bytes(slip, 32)).text()
    assert "¥ 12，。：" in text and "：，。¥" in text


def test_python_escpos_alone_would_print_question_marks():
    """Why FixedEncoding exists: without it, text with no ideograph goes through code pages."""
    dummy = Dummy()
    dummy.text("，。：\n")
    assert b"?" in dummy.output
    dummy = Dummy()
    receipt.use_encoding(dummy, "gb18030")
    dummy.text("，。：\n")
    assert dummy.output.decode("gb18030") == "，。：\n"


@pytest.mark.parametrize("columns", [32, 48])
def test_the_printed_qr_decodes_to_the_redemption_number(columns):
    printout = read(receipt.escpos_bytes(SLIP, columns))
    assert len(printout.images) == 1
    image = printout.images[0]
    assert image.width <= receipt.DOTS[columns]
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["DH-2026-000123"]


@pytest.mark.parametrize("columns", [32, 48])
def test_columns_line_up_with_mixed_chinese_and_latin(columns):
    lines = receipt.text_of(SLIP, columns).splitlines()
    assert max(display_width(line) for line in lines) <= columns
    item_rows = [line for line in lines if " x" in line]
    assert len(item_rows) == 3
    assert {display_width(line) for line in item_rows} == {columns}  # points end at the right edge
    ends_of_quantity = {display_width(line[: line.index(" x") + 3]) for line in item_rows}
    assert len(ends_of_quantity) == 1  # the quantity column lines up too


def test_a_long_name_wraps_without_splitting_a_character():
    assert receipt.wrap("劳保手套加长", 5) == ["劳保", "手套", "加长"]
    assert receipt.wrap("abc手套", 4) == ["abc", "手套"]
    assert receipt.display_width("（10副）") == 8  # full-width brackets and 副 take two columns each


def test_the_preview_is_a_picture_of_the_slip_with_a_readable_qr():
    png = receipt.preview_png(SLIP, 32)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == receipt.DOTS[32] + 32
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["DH-2026-000123"]
    assert image.convert("L").getextrema() == (0, 255)  # ink on paper


def test_the_preview_spaces_digits_dashes_and_colons_as_the_printed_slip():
    """Each character sits in the middle of its column, as the printer's fixed-width font puts it: the picture
    reads "2026-12-01 18:33", not "2026- 12- 01 18: 33". Each character of the line is drawn where the line puts
    it (the spaces before it keep its column) and its ink found."""
    step, size, text = 12, 24, "2026-12-01 18:33 DH-2026-000241 刘德华"
    for n, ch in enumerate(text):
        if ch.isspace():
            continue
        canvas = Image.new("L", (step * (display_width(text) + 2), 60), 255)
        receipt.draw_on_grid(canvas, " " * display_width(text[:n]) + ch, step, 20, size=size, step=step, stroke=0)
        box = canvas.point(lambda v: 255 if v < 128 else 0).getbbox()
        assert box is not None, (n, ch)
        room = receipt.char_width(ch) * step
        left = step * (1 + display_width(text[:n]))
        assert abs((box[0] + box[2]) / 2 - (left + room / 2)) <= step / 8, (n, ch, box, left)


def test_only_known_widths():
    with pytest.raises(ValueError):
        receipt.layout(SLIP, 40)


HOSTILE = "\x1bp\x00\x19\xfa"  # ESC p: kick the cash drawer
CUT, RESET = "\x1dV\x00", "\x1b@"


@pytest.mark.parametrize("columns", [32, 48])
def test_typed_names_never_reach_the_printer_as_commands(columns):
    """Control characters in goods, employee or kiosk names (typed in a form or imported from a roster) are
    dropped; the printer gets text and the layout's own commands only: one reset, Chinese on, one cut."""
    slip = dataclasses.replace(
        SLIP,
        store_name=f"超市{RESET}",
        kiosk_name=f"终端{HOSTILE}",
        employee_name=f"刘{CUT}德华",
        employee_number="E01\x10\x04\x01234",
        lines=(SlipLine(f"洗衣液{HOSTILE}{CUT}\r\n\t多一行", 2, 200),),
    )
    data = receipt.escpos_bytes(slip, columns)
    printout = read(data)  # fails on any command the layout does not send, and on a control byte in the text
    assert printout.commands.count(b"\x1b@") == 1 and printout.commands.count(b"\x1dV") == 1
    assert b"\x1bp" not in data and b"\x10\x04" not in data
    text = printout.text()
    # What is left of each name is its letters: "p" and "V" were a command's letters and print as letters;
    # GS and the line breaks are white space to Unicode and print as a space.
    assert "终端pú" in text and "刘 V德华（E01234）" in text and "洗衣液pú V   多一行" in text
    assert "洗衣液" in receipt.text_of(slip, columns) and "\x1b" not in receipt.text_of(slip, columns)
