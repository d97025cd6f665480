"""Bills as PDF, drawn with ReportLab (ADR 0008: WeasyPrint was too slow for print runs).

:func:`draw_bill` lays one :class:`BillDocument` out on a canvas (one US Letter page, a second when
the charges do not fit), in the bill's language; :func:`bills_pdf` puts many bills in one PDF. No
ORM: everything comes from the document. Labels are translated with gettext under
``translation.override(document.language)``; the standard PDF fonts (Helvetica, Courier) carry
every Spanish letter.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import get_language, gettext
from reportlab import rl_config
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.rl_accel import escapePDF
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from civicbill.billing.documents import payinfo
from civicbill.billing.documents.code128 import code128_bars
from civicbill.billing.documents.model import BillDocument, DocumentLine, SummaryRow
from civicbill.core.scanline import format_scan_line
from civicbill.core.wording import (
    long_date,
    money_text,
    month_label,
    quantity_text,
    quantity_with_unit,
    short_date,
)

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 36.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
STUB_TOP = 214.0  # the perforation: everything below is the remittance stub
FOOTER_BOTTOM = STUB_TOP + 18  # how to pay and where to ask (payinfo.py), just above the perforation
LINE_HEIGHT = 10.0
COLUMN_X = 320.0  # the right-hand column (summary box, chart, account summary)
SMALL = 7.5  # messages and the penalty notice
SMALL_LEADING = SMALL + 2
HEADER_BOTTOM = PAGE_HEIGHT - MARGIN - 40
READS_TOP = HEADER_BOTTOM - 124  # the reads table and the usage chart
CHARGES_TOP = HEADER_BOTTOM - 218  # below the chart

NAVY = (0.043, 0.239, 0.42)
LIGHT = (0.9, 0.93, 0.96)
BAR_EARLIER = (0.48, 0.61, 0.78)

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
OBLIQUE = "Helvetica-Oblique"
MONO = "Courier-Bold"


@functools.lru_cache(maxsize=1024)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """gettext, remembered per language: a print run asks for the same few labels 10,000 times."""
    return _translated(get_language(), message)


_Row = tuple[str, str, str, str, str]  # (kind, description, quantity, price, amount)


@dataclass(frozen=True, slots=True)
class RenderedBill:
    bill_number: str
    first_page: int  # 1-based page number in the PDF
    pages: int


def _show(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """Append one text-showing operation to the page's content stream.

    The same PDF operators ``Canvas.drawString`` writes, without its per-call text object: a print
    run draws over a million strings, and this is most of the drawing time saved. Standard fonts
    use WinAnsi (cp1252), which holds every Spanish letter; anything else prints as "?".
    """
    encoded = escapePDF(text.encode("cp1252", "replace"))
    font_ref = canvas._doc.getInternalFontName(font)
    canvas._code.append(f"BT {font_ref} {size:g} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm ({encoded}) Tj ET")


def _text(canvas: Canvas, x: float, y: float, text: str, *, font: str = FONT, size: float = 8.5) -> None:
    _show(canvas, x, y, text, font, size)


def _right(canvas: Canvas, x: float, y: float, text: str, *, font: str = FONT, size: float = 8.5) -> None:
    _show(canvas, x - stringWidth(text, font, size), y, text, font, size)


def _centred(canvas: Canvas, x: float, y: float, text: str, *, font: str = FONT, size: float = 8.5) -> None:
    _show(canvas, x - stringWidth(text, font, size) / 2, y, text, font, size)


def _wrapped(
    canvas: Canvas, x: float, y: float, text: str, width: float, *, font: str = FONT, size: float = 8.0
) -> float:
    """Draw ``text`` wrapped to ``width``; returns the baseline below the last line."""
    for line in simpleSplit(text, font, size, width):
        _show(canvas, x, y, line, font, size)
        y -= size + 2
    return y


def _price_text(line: DocumentLine) -> str:
    if not line.price:
        return ""
    return f"${line.price}"


def _line_quantity(line: DocumentLine) -> str:
    if line.unit in ("", "month") and line.quantity == 1:
        return ""
    return quantity_with_unit(line.quantity, line.unit)


def _watermark(canvas: Canvas, text: str) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(0.8, 0.1, 0.1, alpha=0.22)
    canvas.setFont(BOLD, 64)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2 + 40)
    canvas.rotate(35)
    canvas.drawCentredString(0, 0, text)
    canvas.restoreState()


def _header(canvas: Canvas, document: BillDocument, page: int, pages: int) -> float:
    top = PAGE_HEIGHT - MARGIN
    canvas.setFillColorRGB(*NAVY)
    _text(canvas, MARGIN, top - 12, document.utility_name, font=BOLD, size=13)
    canvas.setFillColorRGB(0, 0, 0)
    _text(canvas, MARGIN, top - 24, document.utility_address, size=8)
    _text(
        canvas, MARGIN, top - 34, _("Questions? Call %(phone)s") % {"phone": document.utility_phone}, size=8
    )
    title = _("Final bill") if document.kind == "final" else _("Utility bill")
    _right(canvas, PAGE_WIDTH - MARGIN, top - 12, title, font=BOLD, size=13)
    _right(
        canvas, PAGE_WIDTH - MARGIN, top - 24, _("Bill %(number)s") % {"number": document.bill_number}, size=8
    )
    _right(
        canvas,
        PAGE_WIDTH - MARGIN,
        top - 34,
        _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages},
        size=8,
    )
    canvas.setStrokeColorRGB(*NAVY)
    canvas.setLineWidth(1.5)
    canvas.line(MARGIN, top - 40, PAGE_WIDTH - MARGIN, top - 40)
    canvas.setLineWidth(0.5)
    canvas.setStrokeColorRGB(0, 0, 0)
    return top - 40


def _summary_box(canvas: Canvas, document: BillDocument, top: float) -> None:
    """Right-hand box: account, service address, period, bill date, due date, amount due."""
    language = document.language
    x, width, height = COLUMN_X, PAGE_WIDTH - MARGIN - COLUMN_X, 104.0
    canvas.setFillColorRGB(*LIGHT)
    canvas.rect(x, top - height, width, height, fill=1, stroke=0)
    canvas.setFillColorRGB(0, 0, 0)
    rows = (
        (_("Account number"), document.account_number),
        (_("Service address"), document.service_address),
        (
            _("Service period"),
            f"{short_date(document.period_start, language)} – {short_date(document.period_end, language)}",
        ),
        (_("Bill date"), long_date(document.bill_date, language)),
        (_("Due date"), long_date(document.due_date, language)),
    )
    y = top - 13
    for label, value in rows:
        _text(canvas, x + 6, y, label, font=BOLD, size=7.5)
        for part in simpleSplit(value, FONT, 7.5, width - 100):
            _show(canvas, x + 94, y, part, FONT, 7.5)
            y -= 9.5
    y -= 6
    _text(canvas, x + 6, y - 4, _("Amount due"), font=BOLD, size=11)
    _right(canvas, x + width - 6, y - 4, money_text(document.total_due), font=BOLD, size=14)


def _address_block(canvas: Canvas, document: BillDocument, top: float) -> None:
    y = top - 30
    _text(canvas, MARGIN + 18, y, document.customer_name.upper(), size=10)
    for line in document.mailing_lines:
        y -= 12
        _text(canvas, MARGIN + 18, y, line.upper(), size=10)


def _reads(canvas: Canvas, document: BillDocument, top: float) -> float:
    """The meter reads table; returns the y below it."""
    language = document.language
    canvas.setFillColorRGB(*NAVY)
    _text(canvas, MARGIN, top, _("Your meter reads"), font=BOLD, size=10)
    canvas.setFillColorRGB(0, 0, 0)
    y = top - 13
    if not document.meter_serial and document.current_read is None:
        _text(canvas, MARGIN, y, _("No metered service on this account."), size=8)
        return y - 12
    columns = (MARGIN, MARGIN + 84, MARGIN + 180)
    _text(canvas, columns[0], y, _("Meter"), font=BOLD, size=7.5)
    _text(canvas, columns[1], y, _("Read date"), font=BOLD, size=7.5)
    _right(canvas, columns[2] + 70, y, _("Read"), font=BOLD, size=7.5)
    y -= LINE_HEIGHT
    previous = (
        _("Previous"),
        short_date(document.previous_read_on, language),
        quantity_text(document.previous_read),
    )
    current_label = _("Current (estimated)") if document.estimated else _("Current")
    current = (
        current_label,
        short_date(document.current_read_on, language),
        quantity_text(document.current_read),
    )
    for label, day, value in (previous, current):
        _text(canvas, columns[0], y, label, size=8)
        _text(canvas, columns[1], y, day, size=8)
        _right(canvas, columns[2] + 70, y, value, font=BOLD if label == current_label else FONT, size=8)
        y -= LINE_HEIGHT
    _text(canvas, columns[0], y, _("Meter %(serial)s") % {"serial": document.meter_serial}, size=7.5)
    y -= LINE_HEIGHT
    _text(
        canvas,
        columns[0],
        y,
        _("Water used: %(hcf)s HCF in %(days)s days (1 HCF = 748 gallons)")
        % {"hcf": quantity_text(document.consumption_hcf), "days": document.days},
        font=BOLD,
        size=8,
    )
    if document.estimated:
        y -= LINE_HEIGHT
        _text(
            canvas,
            columns[0],
            y,
            _("E = estimated: your meter was not read this month."),
            font=OBLIQUE,
            size=7.5,
        )
    return y - 14


def _chart(canvas: Canvas, document: BillDocument, top: float) -> None:
    """13 bars, this month dark, the others lighter, estimated months hatched-outlined and starred."""
    x0, width, height = COLUMN_X, PAGE_WIDTH - MARGIN - COLUMN_X, 70.0
    canvas.setFillColorRGB(*NAVY)
    _text(canvas, x0, top, _("Water use, last 13 months (HCF)"), font=BOLD, size=9)
    canvas.setFillColorRGB(0, 0, 0)
    months = document.usage
    peak = max([m.usage_hcf for m in months if m.usage_hcf is not None] + [Decimal(1)])
    base = top - height - 4
    slot = width / max(1, len(months))
    for index, month in enumerate(months):
        bar_x = x0 + index * slot + slot * 0.15
        bar_w = slot * 0.7
        if month.usage_hcf is not None:
            h = float(month.usage_hcf / peak) * (height - 16)
            if month.current:
                canvas.setFillColorRGB(*NAVY)
            else:
                canvas.setFillColorRGB(*BAR_EARLIER)
            if month.estimated:
                canvas.setDash(1.5, 1)
                canvas.rect(bar_x, base, bar_w, h, fill=0, stroke=1)
                canvas.setDash()
            else:
                canvas.rect(bar_x, base, bar_w, h, fill=1, stroke=0)
            canvas.setFillColorRGB(0, 0, 0)
            value = format(month.usage_hcf.quantize(Decimal(1)), "f") + ("E" if month.estimated else "")
            _centred(canvas, bar_x + bar_w / 2, base + h + 2, value, size=6)
        _centred(
            canvas,
            bar_x + bar_w / 2,
            base - 8,
            month_label(month.period, document.language),
            font=BOLD if month.current else FONT,
            size=6,
        )
    canvas.line(x0, base, x0 + width, base)


def _charge_rows(document: BillDocument) -> list[_Row]:
    """(kind, description, quantity, price, amount) rows: a service heading, its lines, its subtotal."""
    rows: list[_Row] = []
    for section in document.sections:
        rows.append(("heading", section.label, "", "", ""))
        for line in section.lines:
            rows.append(
                ("line", line.description, _line_quantity(line), _price_text(line), money_text(line.amount))
            )
        rows.append(
            (
                "subtotal",
                _("Total %(service)s") % {"service": section.label},
                "",
                "",
                money_text(section.subtotal),
            )
        )
    return rows


def _draw_charge_rows(canvas: Canvas, rows: list[_Row], y: float) -> float:
    right = PAGE_WIDTH - MARGIN
    for kind, description, quantity, price, amount in rows:
        if kind == "heading":
            y -= 3
            _text(canvas, MARGIN, y, description, font=BOLD, size=8.5)
        elif kind == "subtotal":
            canvas.line(right - 70, y + 8, right, y + 8)
            _text(canvas, MARGIN + 10, y, description, font=BOLD, size=8)
            _right(canvas, right, y, amount, font=BOLD, size=8)
        else:
            _text(canvas, MARGIN + 10, y, description[:95], size=8)
            _right(canvas, right - 190, y, quantity, size=8)
            _right(canvas, right - 100, y, price, size=8)
            _right(canvas, right, y, amount, size=8)
        y -= LINE_HEIGHT
    return y


def _charges_heading(canvas: Canvas, y: float, *, continued: bool = False) -> float:
    right = PAGE_WIDTH - MARGIN
    canvas.setFillColorRGB(*NAVY)
    _text(
        canvas, MARGIN, y, _("Charges (continued)") if continued else _("Current charges"), font=BOLD, size=10
    )
    canvas.setFillColorRGB(0, 0, 0)
    y -= 12
    _right(canvas, right - 190, y, _("Quantity"), font=BOLD, size=7.5)
    _right(canvas, right - 100, y, _("Price"), font=BOLD, size=7.5)
    _right(canvas, right, y, _("Amount"), font=BOLD, size=7.5)
    return y - LINE_HEIGHT


SUMMARY_HEIGHT = 12 + 5 * LINE_HEIGHT + 26  # title, five rows, the total and its due date


def _summary_height(document: BillDocument) -> float:
    """The account summary's height: its title, its rows (five or more), the total and due date."""
    return SUMMARY_HEIGHT + (len(document.summary_rows()) - 5) * LINE_HEIGHT


def _summary_label(row: SummaryRow) -> str:
    return _(row.label) % dict(row.params) if row.params else _(row.label)


def _account_summary(canvas: Canvas, document: BillDocument, top: float) -> None:
    """Right column: previous balance, payments, adjustments, balance forward, charges, total due."""
    right = PAGE_WIDTH - MARGIN
    canvas.setFillColorRGB(*NAVY)
    _text(canvas, COLUMN_X, top, _("Account summary"), font=BOLD, size=10)
    canvas.setFillColorRGB(0, 0, 0)
    y = top - 12
    for row in document.summary_rows():
        _text(canvas, COLUMN_X + 6, y, _summary_label(row), size=8)
        _right(canvas, right, y, money_text(row.amount), size=8)
        y -= LINE_HEIGHT
    canvas.setLineWidth(1)
    canvas.line(right - 160, y + 7, right, y + 7)
    canvas.setLineWidth(0.5)
    _text(canvas, COLUMN_X + 6, y - 3, _("Total amount due"), font=BOLD, size=10)
    _right(canvas, right, y - 3, money_text(document.total_due), font=BOLD, size=11)
    _text(
        canvas,
        COLUMN_X + 6,
        y - 14,
        _("Please pay by %(date)s") % {"date": long_date(document.due_date, document.language)},
        font=BOLD,
        size=8,
    )


def penalty_text(document: BillDocument) -> str:
    """The late-penalty notice (Gov. Code §54348) in the active language."""
    return _(
        "Late penalty: charges not paid by the due date, %(date)s, become delinquent, and a penalty of "
        "up to 10%% of the delinquent charges is added, plus up to 0.5%% a month on the unpaid balance "
        "(California Government Code §54348)."
    ) % {"date": long_date(document.due_date, document.language)}


MESSAGES_WIDTH = COLUMN_X - MARGIN - 16


def _lines(text: str, width: float, font: str = FONT) -> list[str]:
    return simpleSplit(text, font, SMALL, width)


def _left_column_height(document: BillDocument) -> float:
    """The messages (with their heading) and the late-penalty notice under them."""
    messages = sum(len(_lines(m, MESSAGES_WIDTH)) * SMALL_LEADING + 2 for m in document.messages)
    heading = 12 if document.messages else 0
    return heading + messages + len(_lines(penalty_text(document), MESSAGES_WIDTH, BOLD)) * SMALL_LEADING


def _bottom_block_height(document: BillDocument) -> float:
    """Height of what follows the charges on page 1: the messages and the late-penalty notice on the
    left, the account summary on the right (call inside ``translation.override``)."""
    return 8 + max(_summary_height(document), _left_column_height(document))


def _bottom_block(canvas: Canvas, document: BillDocument, top: float) -> None:
    """Messages, then the late-penalty notice (left), beside the account summary (right)."""
    _account_summary(canvas, document, top)
    y = top
    if document.messages:
        canvas.setFillColorRGB(*NAVY)
        _text(canvas, MARGIN, y, _("Messages"), font=BOLD, size=10)
        canvas.setFillColorRGB(0, 0, 0)
        y -= 12
        for message in document.messages:
            y = _wrapped(canvas, MARGIN, y, message, MESSAGES_WIDTH, size=SMALL) - 2
    _wrapped(canvas, MARGIN, y, penalty_text(document), MESSAGES_WIDTH, font=BOLD, size=SMALL)


def _stub(canvas: Canvas, document: BillDocument) -> None:
    """The detachable remittance stub: who to pay, how much, the scan line and its barcode."""
    canvas.setDash(4, 3)
    canvas.line(MARGIN - 10, STUB_TOP, PAGE_WIDTH - MARGIN + 10, STUB_TOP)
    canvas.setDash()
    _text(
        canvas,
        MARGIN,
        STUB_TOP + 4,
        _("Please detach here and return this part with your payment."),
        font=OBLIQUE,
        size=7,
    )
    language = document.language
    y = STUB_TOP - 18
    _stub_customer(canvas, document, y)
    x = 330.0
    rows = (
        (_("Account number"), document.account_number),
        (_("Due date"), long_date(document.due_date, language)),
        (_("Amount due"), money_text(document.amount_due)),
    )
    for label, value in rows:
        _text(canvas, x, y, label, size=8)
        _right(canvas, PAGE_WIDTH - MARGIN, y, value, font=BOLD, size=9)
        y -= 13
    _text(canvas, x, y - 3, _("Amount enclosed"), size=8)
    canvas.rect(PAGE_WIDTH - MARGIN - 100, y - 7, 100, 16, fill=0, stroke=1)
    _text(canvas, PAGE_WIDTH - MARGIN - 96, y - 3, "$", size=9)
    _text(
        canvas,
        MARGIN,
        payinfo.ENVELOPE_9_WINDOW[3] + 8,
        _("Make checks payable to %(name)s and mail them to:") % {"name": document.utility_name},
        size=7.5,
    )
    payinfo.draw_remittance_address(canvas, document)  # shows through a #9 return envelope's window
    _barcode(canvas, document.scan_line, x=BARCODE_X, y=66.0, height=34.0)
    _text(canvas, MARGIN + 18, 22, format_scan_line(document.scan_line), font=MONO, size=11)


BARCODE_X = PAGE_WIDTH - MARGIN - 172.0  # right of the envelope window (188 modules of 0.9 pt)


def _stub_customer(canvas: Canvas, document: BillDocument, top: float) -> None:
    """Who is paying (top left of the stub, above the envelope window)."""
    y = top
    _text(canvas, MARGIN, y, document.customer_name.upper(), font=BOLD, size=9)
    for line in document.mailing_lines[:3]:
        y -= 10
        _text(canvas, MARGIN, y, line.upper(), size=8)
    _text(
        canvas,
        MARGIN,
        y - 11,
        _("Service address: %(address)s") % {"address": document.service_address},
        size=7,
    )


def _barcode(canvas: Canvas, text: str, *, x: float, y: float, height: float) -> None:
    module = 0.9  # points per module (about 0.0125 in, within Code 128's usual 0.0075-0.015 in)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for start, width in code128_bars(text):
        path.rect(x + start * module, y, width * module, height)
    canvas.drawPath(path, fill=1, stroke=0)
    canvas.restoreState()


def draw_bill(canvas: Canvas, document: BillDocument) -> int:
    """Lay one bill out on ``canvas`` (ending with ``showPage``); returns the number of pages."""
    with translation.override(document.language):
        rows = _charge_rows(document)
        return _draw(canvas, document, rows)


def _reads_bottom(document: BillDocument) -> float:
    """Where the reads table ends (mirrors :func:`_reads`), so pages can be counted without drawing."""
    if not document.meter_serial and document.current_read is None:
        return READS_TOP - 13 - 12
    return READS_TOP - 13 - LINE_HEIGHT * (5 if document.estimated else 4) - 14


def _rows_on_page_one(document: BillDocument) -> tuple[int, float]:
    """How many charge rows fit on page 1 above the messages, summary and penalty notice, and the
    baseline of the first row (call inside ``translation.override``)."""
    y = min(_reads_bottom(document), CHARGES_TOP) - 12 - LINE_HEIGHT
    lowest = (
        FOOTER_BOTTOM + 6 + payinfo.footer_height(document, CONTENT_WIDTH) + _bottom_block_height(document)
    )
    return int((y - lowest) // LINE_HEIGHT) + 1, y


def _split(rows: list[_Row], document: BillDocument) -> tuple[list[_Row], list[_Row], float]:
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


def _draw(canvas: Canvas, document: BillDocument, rows: list[_Row]) -> int:
    canvas.setLineWidth(0.5)
    top = _header(canvas, document, 1, 1)  # page count redrawn below when a second page is needed
    _address_block(canvas, document, top)
    _summary_box(canvas, document, top - 8)
    reads_bottom = _reads(canvas, document, READS_TOP)
    _chart(canvas, document, READS_TOP)
    first, rest, y = _split(rows, document)
    _charges_heading(canvas, min(reads_bottom, CHARGES_TOP))
    y = _draw_charge_rows(canvas, first, y)
    if rest:
        _text(canvas, MARGIN + 10, y, _("Charges continue on page 2."), font=OBLIQUE, size=8)
        y -= LINE_HEIGHT
    _bottom_block(canvas, document, y - 8)
    payinfo.draw_footer(canvas, document, x=MARGIN, bottom=FOOTER_BOTTOM, width=CONTENT_WIDTH)
    _stub(canvas, document)
    pages = 2 if rest else 1
    if rest:
        _page_count_patch(canvas, pages)
    _marks(canvas, document)
    canvas.showPage()
    if rest:
        top = _header(canvas, document, 2, 2)
        y = _charges_heading(canvas, top - 24, continued=True)
        _draw_charge_rows(canvas, rest, y)
        _marks(canvas, document)
        canvas.showPage()
    return pages


def _page_count_patch(canvas: Canvas, pages: int) -> None:
    """Cover page 1's "Page 1 of 1" with "Page 1 of 2" (the count is known only after laying out)."""
    top = PAGE_HEIGHT - MARGIN
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(PAGE_WIDTH - MARGIN - 120, top - 37, 120, 10, fill=1, stroke=0)
    canvas.setFillColorRGB(0, 0, 0)
    _right(
        canvas,
        PAGE_WIDTH - MARGIN,
        top - 34,
        _("Page %(page)s of %(pages)s") % {"page": 1, "pages": pages},
        size=8,
    )


def _marks(canvas: Canvas, document: BillDocument) -> None:
    if document.cancelled:
        _watermark(canvas, _("VOID - CANCELLED"))
        if document.cancel_reason:
            canvas.setFillColorRGB(0.7, 0.05, 0.05)
            _text(
                canvas,
                MARGIN,
                PAGE_HEIGHT - MARGIN - 52,
                _("This bill was cancelled: %(reason)s") % {"reason": document.cancel_reason},
                font=BOLD,
                size=8,
            )
            canvas.setFillColorRGB(0, 0, 0)
    elif document.draft:
        _watermark(canvas, _("DRAFT - NOT A BILL"))


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
