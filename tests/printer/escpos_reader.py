"""Read ESC/POS bytes back, as the printer would: the text (decoded) and the raster pictures it prints.

Only the commands this product sends are known; anything else fails loudly, so a test notices when the
bytes change shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

ESC, GS, FS = 0x1B, 0x1D, 0x1C
# command prefix -> number of argument bytes that follow
FIXED = {
    (ESC, ord("@")): 0,  # initialise
    (ESC, ord("!")): 1,  # print mode
    (ESC, ord("E")): 1,  # bold
    (ESC, ord("a")): 1,  # align
    (ESC, ord("-")): 1,  # underline
    (ESC, ord("M")): 1,  # font
    (ESC, ord("G")): 1,  # double strike
    (ESC, ord("{")): 1,  # upside down
    (ESC, ord("d")): 1,  # feed n lines
    (ESC, ord("t")): 1,  # code page
    (ESC, ord("3")): 1,  # line spacing
    (ESC, ord("2")): 0,  # default line spacing
    (GS, ord("!")): 1,  # character size
    (GS, ord("B")): 1,  # reverse
    (GS, ord("b")): 1,  # smoothing
    (FS, ord("&")): 0,  # Chinese mode on
    (FS, ord(".")): 0,  # Chinese mode off
}


@dataclass
class Printout:
    text_bytes: bytearray = field(default_factory=bytearray)
    images: list[Image.Image] = field(default_factory=list)
    cut: bool = False
    chinese_mode: bool = False
    commands: list[bytes] = field(default_factory=list)  # each command's first two bytes, in order

    def text(self, encoding: str = "gb18030") -> str:
        return self.text_bytes.decode(encoding)


def read(data: bytes) -> Printout:
    out = Printout()
    i = 0
    while i < len(data):
        b = data[i]
        if b in (ESC, GS, FS):
            op = data[i + 1]
            out.commands.append(bytes((b, op)))
            if (b, op) in FIXED:
                if (b, op) == (FS, ord("&")):
                    out.chinese_mode = True
                i += 2 + FIXED[(b, op)]
                continue
            if (b, op) == (GS, ord("V")):  # cut: GS V m [n]
                out.cut = True
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
                continue
            if (b, op) == (GS, ord("v")) and data[i + 2] == ord("0"):  # raster bit image
                width_bytes = data[i + 4] | data[i + 5] << 8
                height = data[i + 6] | data[i + 7] << 8
                size = width_bytes * height
                raster = data[i + 8 : i + 8 + size]
                image = Image.frombytes("1", (width_bytes * 8, height), bytes(raster))
                out.images.append(Image.eval(image.convert("L"), lambda v: 255 - v))  # 1 bits are black dots
                i += 8 + size
                continue
            raise AssertionError(f"unknown ESC/POS command {data[i : i + 3]!r} at byte {i}")
        if b < 0x20 and b != 0x0A:
            raise AssertionError(f"control byte {b:#04x} in the text at byte {i}")
        out.text_bytes.append(b)
        i += 1
    return out
