"""The product's one Excel (.xlsx) writer: every export (the ledger, the hazard ledger, the statistics).

An .xlsx file is a zip of XML parts (ECMA-376, SpreadsheetML). A general library spends most of its time on
bookkeeping per cell; this writer knows each sheet's columns in advance, writes a row as one piece of XML
into the deflate stream, and keeps nothing else: memory stays flat and a million rows take seconds. Sheets
are written one after the other. Numbers, dates, date-times (the plant's, as on screen: yyyy-mm-dd and
yyyy-mm-dd hh:mm) and text (inline strings, never formulas) only.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import IO

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk already folded in)
# What XML 1.0 cannot carry at all, and the three characters it must escape.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

ROOT_RELS = (
    HEAD + f'<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# Style 0 is the default; 1 a date and time; 2 the bold header; 3 a date.
STYLES = (
    HEAD + f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _kind_of(value: object) -> str:
    """The kind of one value, for a column of kind "a" (any)."""
    if isinstance(value, bool):
        return "s"
    if isinstance(value, int | float):
        return "n"
    if isinstance(value, dt.datetime):
        return "d"
    if isinstance(value, dt.date):
        return "t"
    return "s"


class Workbook:
    """``with Workbook(out) as book:`` then ``book.sheet(...)`` for each sheet, in order."""

    def __init__(self, out: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5)
        self._names: list[str] = []
        self._open: SheetWriter | None = None

    def sheet(
        self, name: str, header: Sequence[object], kinds: str, widths: dict[int, int] | None = None
    ) -> SheetWriter:
        """The next sheet: ``kinds`` gives each column's kind, "n" (a number), "d" (a naive date-time), "t" (a
        date), "s" (text) or "a" (any of them, cell by cell); None in any column leaves the cell empty."""
        if self._open is not None:
            self._open.close()
        self._names.append(name)
        self._open = SheetWriter(self._zip, len(self._names), header=header, kinds=kinds, widths=widths or {})
        return self._open

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None
        count = len(self._names)
        self._zip.writestr(
            "[Content_Types].xml",
            HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
                for n in range(1, count + 1)
            )
            + '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        )
        self._zip.writestr("_rels/.rels", ROOT_RELS)
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            HEAD
            + f'<Relationships xmlns="{PACKAGE_RELS}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, count + 1)
            )
            + f'<Relationship Id="rId{count + 1}" Type="{RELS}/styles" Target="styles.xml"/></Relationships>',
        )
        self._zip.writestr("xl/styles.xml", STYLES)
        sheets = "".join(
            f'<sheet name="{_text(name[:31])}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(self._names, start=1)
        )
        self._zip.writestr(
            "xl/workbook.xml", HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{sheets}</sheets></workbook>'
        )
        self._zip.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
            return
        if self._open is not None:  # a failed export: let go of the file, written or not
            self._open.close()
        self._zip.close()


class SheetWriter:
    """Rows of one sheet, written as they come (a header row first, in bold)."""

    def __init__(
        self, archive: zipfile.ZipFile, number: int, *, header: Sequence[object], kinds: str, widths: dict[int, int]
    ) -> None:
        self._sheet = archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        self._kinds = kinds
        self._merged: list[str] = []
        self._columns = [_letters(n) for n in range(len(kinds))]
        self._pending: list[str] = []
        self._row = self._template(kinds)
        self.rows = 0
        cols = "".join(
            f'<col min="{n + 1}" max="{n + 1}" width="{w}" customWidth="1"/>' for n, w in sorted(widths.items())
        )
        self._put(HEAD + f'<worksheet xmlns="{MAIN}">' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
        if header:
            self._write([str(h) for h in header], style=' s="2"', kinds="s" * len(header))

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
        if kind in ("d", "t"):
            return f'<c r="{column}{{0}}" s="{1 if kind == "d" else 3}"><v>{slot}</v></c>'
        return f'<c r="{column}{{0}}"{style} t="inlineStr"><is><t xml:space="preserve">{slot}</t></is></c>'

    def _template(self, kinds: str, style: str = "") -> str:
        """A row's XML with a slot for the row number and one for each value, made once for every row."""
        columns = zip(self._columns, kinds, strict=True)
        cells = "".join(self._cell(c, k, f"{{{i + 1}}}", style) for i, (c, k) in enumerate(columns))
        return f'<row r="{{0}}">{cells}</row>'

    def _write(self, values: Sequence[object], *, style: str = "", kinds: str | None = None) -> None:
        self.rows += 1
        if len(values) < len(self._columns):  # a short row (a title, a note): the rest of its cells left empty
            values = [*values, *[None] * (len(self._columns) - len(values))]
        kinds = kinds or self._kinds
        if "a" in kinds:
            kinds = "".join(_kind_of(v) if k == "a" else k for k, v in zip(kinds, values, strict=True))
        if None in values or kinds is not self._kinds:  # an empty cell, or kinds of its own: cell by cell
            cells = [
                self._cell(c, k, "{1}", style).format(self.rows, self._convert(k, v))
                for c, k, v in zip(self._columns[: len(values)], kinds, values, strict=True)
                if v is not None
            ]
            self._put(f'<row r="{self.rows}">{"".join(cells)}</row>')
            return
        self._put(self._row.format(self.rows, *[self._convert(k, v) for k, v in zip(kinds, values, strict=True)]))

    @staticmethod
    def _convert(kind: str, value: object) -> object:
        if kind == "n":
            return value
        if kind == "d":
            return f"{(value - EPOCH).total_seconds() / 86400:.10f}"  # type: ignore[operator]
        if kind == "t":
            return (value - EPOCH.date()).days  # type: ignore[operator]
        return _text(value)

    def write_rows(self, rows: Iterable[Sequence[object]]) -> None:
        for values in rows:
            self._write(values)

    def heading(self, values: Sequence[object], merge: Sequence[tuple[int, int, int]] = ()) -> None:
        """A row of headings in bold (None leaves a cell empty), with cells merged across it: ``merge`` holds
        (first column, last column, rows down) from this row, columns counted from 0."""
        self._write(list(values), style=' s="2"', kinds="s" * len(self._columns))
        for first, last, down in merge:
            self._merged.append(f"{self._columns[first]}{self.rows}:{self._columns[last]}{self.rows + down}")

    def close(self) -> None:
        if self._sheet.closed:
            return
        merged = "".join(f'<mergeCell ref="{ref}"/>' for ref in self._merged)
        self._put("</sheetData>" + (f'<mergeCells count="{len(self._merged)}">{merged}</mergeCells>' if merged else ""))
        self._put("</worksheet>")
        self._flush()
        self._sheet.close()
