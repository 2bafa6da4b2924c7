"""Every Excel export (one writer, app/xlsx.py) opens in openpyxl and in LibreOffice, with what a person typed
kept as text (never a formula, never markup) and times in the plant's zone."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from models import hazards, ledger, places

EXPORTS = ["/admin/ledger.xlsx", "/admin/hazards/ledger.xlsx", "/admin/statistics.xlsx"]
TYPED = '=1+1 <b hx-get="/x">"引号" & 文本</b>'


@pytest.fixture
def exported(client, session, login, make_employee):
    worker = make_employee(name="王五", number="E06001")
    ledger.award(session, worker.id, 12, actor="test", memo=TYPED)
    place = places.save_place(session, None, name="冲压车间", risk="orange")
    hazards.report(session, place, category="act", description=TYPED, reporter=worker)
    session.commit()
    login("audit", "auditor")

    def get(path: str) -> bytes:
        response = client.get(path)
        assert response.status_code == 200, path
        data = response.data
        response.close()
        return data

    return get


@pytest.mark.parametrize("path", EXPORTS)
def test_each_export_opens_in_openpyxl_with_typed_text_as_text(exported, path):
    book = load_workbook(io.BytesIO(exported(path)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)  # no formula anywhere
    if path != "/admin/statistics.xlsx":
        assert TYPED in [cell.value for cell in cells]
    else:
        assert [s.title for s in book.worksheets[:3]] == ["季报表（二）", "季报表（一）", "月度统计"]  # the forms first
        assert book.worksheets[-1]["A2"].value.endswith("-01")  # then the year month by month


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make test installs it)")
@pytest.mark.parametrize("path", EXPORTS)
def test_each_export_opens_in_libreoffice(exported, path, tmp_path):
    source = tmp_path / "export.xlsx"
    source.write_bytes(exported(path))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, double quotes, UTF-8
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    rows = list(csv.reader((tmp_path / "export.csv").read_text(encoding="utf-8", errors="replace").splitlines()))
    assert len(rows) >= 2  # a header and data
    text = "\n".join(",".join(row) for row in rows)
    if path != "/admin/statistics.xlsx":
        assert TYPED in text  # as typed: LibreOffice did not evaluate it
