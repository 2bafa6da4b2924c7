"""Tables from Excel as people make them: a title or blank rows above the header, total rows (合计) at the end,
columns named in the words of whoever made the file, cells that are numbers, formulas or far too long.

``read_table`` finds the header among the first rows by the names a table is known to use, leaves blank and
total rows out (saying which), and names every column it does not use; each kind of table (the HR roster, the
opening balances) checks its own rows' cells with ``cell``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook

from .base import clean_text
from .errors import InvalidInput
from .i18n import lazy_gettext as _l

CELL_LIMIT = 100  # a name, a department, a note: nothing in these tables is longer
HEADER_SEARCH = 10  # rows looked at for the header: a title and a date line above it are common
MAX_COLUMNS = 60  # columns read: a roster has a dozen; a cell far to the right is no column of the table
MAX_UNPACKED = 50 << 20  # bytes the workbook's parts may unpack to (a 20,000-row roster is a few MB)
TOTALS = {"合计", "总计", "小计", "共计", "total", "subtotal"}


@dataclass
class Table:
    rows: list[tuple[int, tuple[Any, ...]]]  # (the row number as Excel shows it, its cells)
    columns: dict[str, int]  # field key -> column index
    mapping: list[list[str]] = field(default_factory=list)  # [header as written, field key] for each used column
    unused: list[str] = field(default_factory=list)  # headers of the columns it does not use
    skipped: list[str] = field(default_factory=list)  # rows left out, in words (a title, a total)


def plain(cell: Any) -> str:
    """A header or a word as compared: no spaces (全角 too), lower case."""
    return "".join(str(cell or "").split()).lower()


def _columns(header: tuple[Any, ...], headers: dict[str, tuple[str, ...]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        title = plain(value)
        for key, names in headers.items():
            if title in names and key not in found:
                found[key] = index
    return found


def _header(
    rows: list[tuple[Any, ...]], headers: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> tuple[int, dict[str, int]]:
    """The header row among the first rows (its index) and its columns; refused in words when none names the
    columns the table needs."""
    best: dict[str, int] = {}
    for index, values in enumerate(rows):
        columns = _columns(values, headers)
        if all(key in columns for key in required):
            return index, columns
        if len(columns) > len(best):
            best = columns
    missing = [headers[key][0] for key in required if key not in best]
    raise InvalidInput(
        _l("No row in the first %(n)s names the columns; missing: %(columns)s."),
        n=HEADER_SEARCH,
        columns="、".join(missing),
    )


def cell(values: tuple[Any, ...], index: int | None, errors: list[str]) -> str:
    """A cell as text (a whole number typed as a number without its ".0"); a formula or an overlong cell is an
    error of its row."""
    if index is None or index >= len(values) or values[index] is None:
        return ""
    value = values[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(str(value), 100_000)  # printable characters only; the length is judged below
    if text.startswith("="):
        errors.append(str(_l("A formula cannot be imported: type the value.")))
        return ""
    if len(text) > CELL_LIMIT:
        errors.append(str(_l("A cell is longer than %(n)s characters.", n=CELL_LIMIT)))
        return ""
    return text


def _filled(values: tuple[Any, ...]) -> bool:
    return any(v not in (None, "") for v in values)


def read_table(data: bytes, headers: dict[str, tuple[str, ...]], required: tuple[str, ...], *, max_rows: int) -> Table:
    """The rows under the header of the workbook's first sheet; refuse what is not a workbook of this table."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InvalidInput(_l("This is not an Excel workbook (.xlsx)."))
    with zipfile.ZipFile(io.BytesIO(data)) as packed:  # what the parts unpack to, before anything reads them
        if sum(part.file_size for part in packed.infolist()) > MAX_UNPACKED:
            raise InvalidInput(
                _l("This workbook unpacks to more than %(n)s MB: save only the table."), n=MAX_UNPACKED >> 20
            )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file: each means "not this table"
        raise InvalidInput(_l("This is not an Excel workbook (.xlsx).")) from None
    skipped: list[str] = []
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the size the file declares is not believed: the rows are read as they are
        lines: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        top = [values for _, values in zip(range(HEADER_SEARCH), lines, strict=False)]
        if not top:
            raise InvalidInput(_l("The workbook is empty."))
        at, columns = _header(top, headers, required)
        skipped = [
            str(_l("Row %(line)s: above the header (a title)", line=n + 1)) for n in range(at) if _filled(top[n])
        ]
        header = top[at]
        for line, values in enumerate([*top[at + 1 :], *lines], start=at + 2):
            if line > 2 * max_rows + HEADER_SEARCH:  # blank rows count too: a sheet far taller than its table
                raise InvalidInput(_l("At most %(n)s rows in one file."), n=max_rows)
            if not _filled(values):
                continue
            if any(plain(v) in TOTALS for v in values if isinstance(v, str)):
                skipped.append(str(_l("Row %(line)s: a total", line=line)))
                continue
            if len(rows) >= max_rows:
                raise InvalidInput(_l("At most %(n)s rows in one file."), n=max_rows)
            rows.append((line, values))
    finally:
        book.close()
    used = set(columns.values())
    mapping = [[clean_text(str(header[index]), CELL_LIMIT), key] for key, index in columns.items()]
    unused = [clean_text(str(value), CELL_LIMIT) for index, value in enumerate(header) if index not in used and value]
    return Table(rows, columns, mapping, unused, skipped)
