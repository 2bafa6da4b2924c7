"""Excel workbooks built in memory for the import tests (a roster, opening balances, an attendance sheet)."""

from __future__ import annotations

import io

from openpyxl import Workbook


def workbook(rows) -> bytes:
    """A workbook whose first sheet holds ``rows`` as they are (a title row, a header, blank and total rows)."""
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
