"""Bills as PDF, drawn with ReportLab (ADR 0008: WeasyPrint was too slow for print runs).

:func:`draw_bill` lays one :class:`BillDocument` out on a canvas (one US Letter page, a second when
the charges do not fit), in the bill's language; :func:`bills_pdf` puts many bills in one PDF. No
ORM: everything comes from the document. Labels are translated with gettext under
``translation.override(document.language)``; the standard PDF fonts (Helvetica, Courier) carry
every Spanish letter.

This module lays the pages out (the charges split over a second page when they do not fit, the page
count, the watermarks); the sections are drawn by :mod:`civicbill.billing.documents.sections` and
:mod:`civicbill.billing.documents.stub` with the primitives of
:mod:`civicbill.billing.documents.pdf_canvas`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from reportlab import rl_config
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from civicbill.billing.documents import payinfo
from civicbill.billing.documents.model import BillDocument
from civicbill.billing.documents.pdf_canvas import (
    BOLD,
    CHARGES_TOP,
    CONTENT_WIDTH,
    FOOTER_BOTTOM,
    LINE_HEIGHT,
    MARGIN,
    OBLIQUE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    READS_TOP,
    right,
    text,
    watermark,
)
from civicbill.billing.documents.pdf_canvas import label as _
from civicbill.billing.documents.sections import (
    Row,
    address_block,
    bottom_block,
    bottom_block_height,
    charge_rows,
    charges_heading,
    draw_charge_rows,
    header,
    reads,
    summary_box,
    usage_chart,
)
from civicbill.billing.documents.stub import stub


@dataclass(frozen=True, slots=True)
class RenderedBill:
    bill_number: str
    first_page: int  # 1-based page number in the PDF
    pages: int


def draw_bill(canvas: Canvas, document: BillDocument) -> int:
    """Lay one bill out on ``canvas`` (ending with ``showPage``); returns the number of pages."""
    with translation.override(document.language):
        rows = charge_rows(document)
        return _draw(canvas, document, rows)


def _reads_bottom(document: BillDocument) -> float:
    """Where the reads table ends (mirrors :func:`reads`), so pages can be counted without drawing."""
    if not document.meter_serial and document.current_read is None:
        return READS_TOP - 13 - 12
    return READS_TOP - 13 - LINE_HEIGHT * (5 if document.estimated else 4) - 14


def _rows_on_page_one(document: BillDocument) -> tuple[int, float]:
    """How many charge rows fit on page 1 above the messages, summary and penalty notice, and the
    baseline of the first row (call inside ``translation.override``)."""
    y = min(_reads_bottom(document), CHARGES_TOP) - 12 - LINE_HEIGHT
    lowest = (
        FOOTER_BOTTOM + 6 + payinfo.footer_height(document, CONTENT_WIDTH) + bottom_block_height(document)
    )
    return int((y - lowest) // LINE_HEIGHT) + 1, y


def _split(rows: list[Row], document: BillDocument) -> tuple[list[Row], list[Row], float]:
    """The charge rows on page 1, those continued on page 2 (after a "continued" line), and where
    page 1's rows start."""
    fit, y = _rows_on_page_one(document)
    if len(rows) <= fit:
        return rows, [], y
    first, rest = rows[: max(fit - 1, 0)], rows[max(fit - 1, 0) :]
    while first and first[-1][0] == "heading":  # never leave a service's heading alone at the bottom
        rest.insert(0, first.pop())
    if rest[0][0] != "heading":  # a service split across the pages: repeat its heading on page 2
        heading = next((row for row in reversed(first) if row[0] == "heading"), None)
        if heading is not None:
            rest.insert(0, heading)
    return first, rest, y


def page_count(document: BillDocument) -> int:
    """How many pages :func:`draw_bill` gives this bill (1, or 2 when the charges do not fit)."""
    rows = sum(len(section.lines) + 2 for section in document.sections)  # heading, lines, subtotal
    with translation.override(document.language):
        return 1 if rows <= _rows_on_page_one(document)[0] else 2


def _draw(canvas: Canvas, document: BillDocument, rows: list[Row]) -> int:
    canvas.setLineWidth(0.5)
    top = header(canvas, document, 1, 1)  # page count redrawn below when a second page is needed
    address_block(canvas, document, top)
    summary_box(canvas, document, top - 8)
    reads_bottom = reads(canvas, document, READS_TOP)
    usage_chart(canvas, document, READS_TOP)
    first, rest, y = _split(rows, document)
    charges_heading(canvas, min(reads_bottom, CHARGES_TOP))
    y = draw_charge_rows(canvas, first, y)
    if rest:
        text(canvas, MARGIN + 10, y, _("Charges continue on page 2."), font=OBLIQUE, size=8)
        y -= LINE_HEIGHT
    bottom_block(canvas, document, y - 8)
    payinfo.draw_footer(canvas, document, x=MARGIN, bottom=FOOTER_BOTTOM, width=CONTENT_WIDTH)
    stub(canvas, document)
    pages = 2 if rest else 1
    if rest:
        _page_count_patch(canvas, pages)
    _marks(canvas, document)
    canvas.showPage()
    if rest:
        top = header(canvas, document, 2, 2)
        y = charges_heading(canvas, top - 24, continued=True)
        draw_charge_rows(canvas, rest, y)
        _marks(canvas, document)
        canvas.showPage()
    return pages


def _page_count_patch(canvas: Canvas, pages: int) -> None:
    """Cover page 1's "Page 1 of 1" with "Page 1 of 2" (the count is known only after laying out)."""
    top = PAGE_HEIGHT - MARGIN
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(PAGE_WIDTH - MARGIN - 120, top - 37, 120, 10, fill=1, stroke=0)
    canvas.setFillColorRGB(0, 0, 0)
    right(
        canvas,
        PAGE_WIDTH - MARGIN,
        top - 34,
        _("Page %(page)s of %(pages)s") % {"page": 1, "pages": pages},
        size=8,
    )


def _marks(canvas: Canvas, document: BillDocument) -> None:
    if document.cancelled:
        watermark(canvas, _("VOID - CANCELLED"))
        if document.cancel_reason:
            canvas.setFillColorRGB(0.7, 0.05, 0.05)
            text(
                canvas,
                MARGIN,
                PAGE_HEIGHT - MARGIN - 52,
                _("This bill was cancelled: %(reason)s") % {"reason": document.cancel_reason},
                font=BOLD,
                size=8,
            )
            canvas.setFillColorRGB(0, 0, 0)
    elif document.draft:
        watermark(canvas, _("DRAFT - NOT A BILL"))


def bills_pdf(documents: Iterable[BillDocument], *, title: str = "Bills") -> tuple[bytes, list[RenderedBill]]:
    """Many bills in one PDF, in the order given; returns the bytes and where each bill starts."""
    buffer = io.BytesIO()
    placed: list[RenderedBill] = []
    ascii85 = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: smaller and faster than ASCII85 text
    try:
        canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1, invariant=1)
        canvas.setTitle(title)
        canvas.setAuthor("civicbill")
        page = 1
        for document in documents:
            pages = draw_bill(canvas, document)
            placed.append(RenderedBill(bill_number=document.bill_number, first_page=page, pages=pages))
            page += pages
        if not placed:
            canvas.showPage()
        canvas.save()
    finally:
        rl_config.useA85 = ascii85
    return buffer.getvalue(), placed


def bill_pdf_bytes(document: BillDocument) -> bytes:
    """One bill as a PDF."""
    content, _placed = bills_pdf([document], title=f"Bill {document.bill_number}")
    return content
