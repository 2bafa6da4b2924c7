"""Reading back the PDFs the product prints: their text, and the QR codes on each page."""

from __future__ import annotations

import io

import pypdfium2
import zxingcpp


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text, the page's own order (reportlab writes the footer first)."""
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def decode_pages(data: bytes, dpi: int = 150) -> list[list[str]]:
    """Render every page at ``dpi`` and read every QR code and barcode on it."""
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return [[r.text for r in zxingcpp.read_barcodes(page.render(scale=dpi / 72).to_pil())] for page in document]
    finally:
        document.close()
