"""A streaming Excel (.xlsx) writer for very long tables: each row goes straight into the zipped sheet.

An .xlsx file is a zip of XML parts (ECMA-376, SpreadsheetML). For a table of a million rows a general
library spends most of its time on bookkeeping per cell; this writer knows its columns in advance, writes a
row as one piece of XML into the deflate stream, and keeps nothing else: memory stays flat and a million
rows take seconds. Numbers, date-times (shown as yyyy-mm-dd hh:mm:ss) and text (inline strings) only.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk already folded in)
# What XML 1.0 cannot carry at all, and the three characters it must escape.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

CONTENT_TYPES = (
    HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    HEAD + f'<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    HEAD + f'<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELS}/styles" Target="styles.xml"/></Relationships>'
)
# Style 0 is the default; style 1 shows a date and time; style 2 is the bold header.
STYLES = (
    HEAD + f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _text(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():  # rare: a line break is kept, what XML cannot hold is dropped
        text = _FORBIDDEN.sub("", text)
    if "&" in text or "<" in text or ">" in text:
        text = text.translate(_ESCAPES)
    return text


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class SheetWriter:
    """Rows of one sheet, written as they come. ``kinds`` says each column's kind: "n" (a number), "d" (a
    naive datetime) or "s" (text); None in any column leaves the cell empty."""

    def __init__(self, out: IO[bytes], *, sheet: str, header: Sequence[str], kinds: str, widths: dict[int, int]):
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5)
        self._zip.writestr("[Content_Types].xml", CONTENT_TYPES)
        self._zip.writestr("_rels/.rels", ROOT_RELS)
        self._zip.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.writestr(
            "xl/workbook.xml",
            HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            f'<sheet name="{_text(sheet[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._kinds = kinds
        self._columns = [_letters(n) for n in range(len(kinds))]
        self._pending: list[str] = []
        self._row = self._template(kinds)
        self.rows = 0
        cols = "".join(
            f'<col min="{n + 1}" max="{n + 1}" width="{w}" customWidth="1"/>' for n, w in sorted(widths.items())
        )
        self._put(HEAD + f'<worksheet xmlns="{MAIN}">' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
        self._write(header, style=' s="2"', kinds="s" * len(kinds))

    def _put(self, text: str) -> None:
        self._pending.append(text)
        if len(self._pending) >= 500:  # a few hundred rows at a time into the deflate stream
            self._flush()

    def _flush(self) -> None:
        self._sheet.write("".join(self._pending).encode())
        self._pending.clear()

    def _cell(self, column: str, kind: str, slot: str, style: str = "") -> str:
        if kind == "n":
            return f'<c r="{column}{{0}}"{style}><v>{slot}</v></c>'
        if kind == "d":
            return f'<c r="{column}{{0}}" s="1"><v>{slot}</v></c>'
        return f'<c r="{column}{{0}}"{style} t="inlineStr"><is><t xml:space="preserve">{slot}</t></is></c>'

    def _template(self, kinds: str, style: str = "") -> str:
        """A row's XML with a slot for the row number and one for each value, made once for every row."""
        columns = zip(self._columns, kinds, strict=True)
        cells = "".join(self._cell(c, k, f"{{{i + 1}}}", style) for i, (c, k) in enumerate(columns))
        return f'<row r="{{0}}">{cells}</row>'

    def _write(self, values: Sequence[object], *, style: str = "", kinds: str | None = None) -> None:
        self.rows += 1
        kinds = kinds or self._kinds
        if None in values:  # the rare row with an empty cell: written cell by cell
            cells = [
                self._cell(c, k, "{1}", style).format(self.rows, self._convert(k, v))
                for c, k, v in zip(self._columns, kinds, values, strict=True)
                if v is not None
            ]
            self._put(f'<row r="{self.rows}">{"".join(cells)}</row>')
            return
        template = self._row if kinds is self._kinds and not style else self._template(kinds, style)
        self._put(template.format(self.rows, *[self._convert(k, v) for k, v in zip(kinds, values, strict=True)]))

    @staticmethod
    def _convert(kind: str, value: object) -> object:
        if kind == "n":
            return value
        if kind == "d":
            return f"{(value - EPOCH).total_seconds() / 86400:.10f}"  # type: ignore[operator]
        return _text(value)

    def write_rows(self, rows: Iterable[Sequence[object]]) -> None:
        for values in rows:
            self._write(values)

    def close(self) -> None:
        self._put("</sheetData></worksheet>")
        self._flush()
        self._sheet.close()
        self._zip.close()
