"""The sections of a bill's first page above the remittance stub: the header, the mailing address,
the summary box, the meter reads, the 13-month usage chart, the charges table (a heading, lines and a
subtotal per service), the account summary, the messages and the late-penalty notice. Each draws from
the :class:`BillDocument` alone, in the active language.
"""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from civicbill.billing.documents.model import BillDocument, DocumentLine, SummaryRow
from civicbill.billing.documents.pdf_canvas import (
    BAR_EARLIER,
    BOLD,
    COLUMN_X,
    FONT,
    LIGHT,
    LINE_HEIGHT,
    MARGIN,
    NAVY,
    OBLIQUE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SMALL,
    SMALL_LEADING,
    centred,
    right,
    show,
    text,
    wrapped,
)
from civicbill.billing.documents.pdf_canvas import label as _
from civicbill.core.wording import (
    long_date,
    money_text,
    month_label,
    quantity_text,
    quantity_with_unit,
    short_date,
)

Row = tuple[str, str, str, str, str]  # (kind, description, quantity, price, amount)


def _price_text(line: DocumentLine) -> str:
    if not line.price:
        return ""
    return f"${line.price}"


def _line_quantity(line: DocumentLine) -> str:
    if line.unit in ("", "month") and line.quantity == 1:
        return ""
    return quantity_with_unit(line.quantity, line.unit)


def header(canvas: Canvas, document: BillDocument, page: int, pages: int) -> float:
    top = PAGE_HEIGHT - MARGIN
    canvas.setFillColorRGB(*NAVY)
    text(canvas, MARGIN, top - 12, document.utility_name, font=BOLD, size=13)
    canvas.setFillColorRGB(0, 0, 0)
    text(canvas, MARGIN, top - 24, document.utility_address, size=8)
    text(canvas, MARGIN, top - 34, _("Questions? Call %(phone)s") % {"phone": document.utility_phone}, size=8)
    title = _("Final bill") if document.kind == "final" else _("Utility bill")
    right(canvas, PAGE_WIDTH - MARGIN, top - 12, title, font=BOLD, size=13)
    right(
        canvas, PAGE_WIDTH - MARGIN, top - 24, _("Bill %(number)s") % {"number": document.bill_number}, size=8
    )
    right(
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


def summary_box(canvas: Canvas, document: BillDocument, top: float) -> None:
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
        text(canvas, x + 6, y, label, font=BOLD, size=7.5)
        for part in simpleSplit(value, FONT, 7.5, width - 100):
            show(canvas, x + 94, y, part, FONT, 7.5)
            y -= 9.5
    y -= 6
    text(canvas, x + 6, y - 4, _("Amount due"), font=BOLD, size=11)
    right(canvas, x + width - 6, y - 4, money_text(document.total_due), font=BOLD, size=14)


def address_block(canvas: Canvas, document: BillDocument, top: float) -> None:
    y = top - 30
    text(canvas, MARGIN + 18, y, document.customer_name.upper(), size=10)
    for line in document.mailing_lines:
        y -= 12
        text(canvas, MARGIN + 18, y, line.upper(), size=10)


def reads(canvas: Canvas, document: BillDocument, top: float) -> float:
    """The meter reads table; returns the y below it."""
    language = document.language
    canvas.setFillColorRGB(*NAVY)
    text(canvas, MARGIN, top, _("Your meter reads"), font=BOLD, size=10)
    canvas.setFillColorRGB(0, 0, 0)
    y = top - 13
    if not document.meter_serial and document.current_read is None:
        text(canvas, MARGIN, y, _("No metered service on this account."), size=8)
        return y - 12
    columns = (MARGIN, MARGIN + 84, MARGIN + 180)
    text(canvas, columns[0], y, _("Meter"), font=BOLD, size=7.5)
    text(canvas, columns[1], y, _("Read date"), font=BOLD, size=7.5)
    right(canvas, columns[2] + 70, y, _("Read"), font=BOLD, size=7.5)
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
        text(canvas, columns[0], y, label, size=8)
        text(canvas, columns[1], y, day, size=8)
        right(canvas, columns[2] + 70, y, value, font=BOLD if label == current_label else FONT, size=8)
        y -= LINE_HEIGHT
    text(canvas, columns[0], y, _("Meter %(serial)s") % {"serial": document.meter_serial}, size=7.5)
    y -= LINE_HEIGHT
    text(
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
        text(
            canvas,
            columns[0],
            y,
            _("E = estimated: your meter was not read this month."),
            font=OBLIQUE,
            size=7.5,
        )
    return y - 14


def usage_chart(canvas: Canvas, document: BillDocument, top: float) -> None:
    """13 bars, this month dark, the others lighter, estimated months hatched-outlined and starred."""
    x0, width, height = COLUMN_X, PAGE_WIDTH - MARGIN - COLUMN_X, 70.0
    canvas.setFillColorRGB(*NAVY)
    text(canvas, x0, top, _("Water use, last 13 months (HCF)"), font=BOLD, size=9)
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
            centred(canvas, bar_x + bar_w / 2, base + h + 2, value, size=6)
        centred(
            canvas,
            bar_x + bar_w / 2,
            base - 8,
            month_label(month.period, document.language),
            font=BOLD if month.current else FONT,
            size=6,
        )
    canvas.line(x0, base, x0 + width, base)


def charge_rows(document: BillDocument) -> list[Row]:
    """(kind, description, quantity, price, amount) rows: a service heading, its lines, its subtotal."""
    rows: list[Row] = []
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


def draw_charge_rows(canvas: Canvas, rows: list[Row], y: float) -> float:
    edge = PAGE_WIDTH - MARGIN
    for kind, description, quantity, price, amount in rows:
        if kind == "heading":
            y -= 3
            text(canvas, MARGIN, y, description, font=BOLD, size=8.5)
        elif kind == "subtotal":
            canvas.line(edge - 70, y + 8, edge, y + 8)
            text(canvas, MARGIN + 10, y, description, font=BOLD, size=8)
            right(canvas, edge, y, amount, font=BOLD, size=8)
        else:
            text(canvas, MARGIN + 10, y, description[:95], size=8)
            right(canvas, edge - 190, y, quantity, size=8)
            right(canvas, edge - 100, y, price, size=8)
            right(canvas, edge, y, amount, size=8)
        y -= LINE_HEIGHT
    return y


def charges_heading(canvas: Canvas, y: float, *, continued: bool = False) -> float:
    edge = PAGE_WIDTH - MARGIN
    canvas.setFillColorRGB(*NAVY)
    text(
        canvas, MARGIN, y, _("Charges (continued)") if continued else _("Current charges"), font=BOLD, size=10
    )
    canvas.setFillColorRGB(0, 0, 0)
    y -= 12
    right(canvas, edge - 190, y, _("Quantity"), font=BOLD, size=7.5)
    right(canvas, edge - 100, y, _("Price"), font=BOLD, size=7.5)
    right(canvas, edge, y, _("Amount"), font=BOLD, size=7.5)
    return y - LINE_HEIGHT


SUMMARY_HEIGHT = 12 + 5 * LINE_HEIGHT + 26  # title, five rows, the total and its due date


def _summary_height(document: BillDocument) -> float:
    """The account summary's height: its title, its rows (five or more), the total and due date."""
    return SUMMARY_HEIGHT + (len(document.summary_rows()) - 5) * LINE_HEIGHT


def _summary_label(row: SummaryRow) -> str:
    return _(row.label) % dict(row.params) if row.params else _(row.label)


def _account_summary(canvas: Canvas, document: BillDocument, top: float) -> None:
    """Right column: previous balance, payments, adjustments, balance forward, charges, total due."""
    edge = PAGE_WIDTH - MARGIN
    canvas.setFillColorRGB(*NAVY)
    text(canvas, COLUMN_X, top, _("Account summary"), font=BOLD, size=10)
    canvas.setFillColorRGB(0, 0, 0)
    y = top - 12
    for row in document.summary_rows():
        text(canvas, COLUMN_X + 6, y, _summary_label(row), size=8)
        right(canvas, edge, y, money_text(row.amount), size=8)
        y -= LINE_HEIGHT
    canvas.setLineWidth(1)
    canvas.line(edge - 160, y + 7, edge, y + 7)
    canvas.setLineWidth(0.5)
    text(canvas, COLUMN_X + 6, y - 3, _("Total amount due"), font=BOLD, size=10)
    right(canvas, edge, y - 3, money_text(document.total_due), font=BOLD, size=11)
    text(
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


def bottom_block_height(document: BillDocument) -> float:
    """Height of what follows the charges on page 1: the messages and the late-penalty notice on the
    left, the account summary on the right (call inside ``translation.override``)."""
    return 8 + max(_summary_height(document), _left_column_height(document))


def bottom_block(canvas: Canvas, document: BillDocument, top: float) -> None:
    """Messages, then the late-penalty notice (left), beside the account summary (right)."""
    _account_summary(canvas, document, top)
    y = top
    if document.messages:
        canvas.setFillColorRGB(*NAVY)
        text(canvas, MARGIN, y, _("Messages"), font=BOLD, size=10)
        canvas.setFillColorRGB(0, 0, 0)
        y -= 12
        for message in document.messages:
            y = wrapped(canvas, MARGIN, y, message, MESSAGES_WIDTH, size=SMALL) - 2
    wrapped(canvas, MARGIN, y, penalty_text(document), MESSAGES_WIDTH, font=BOLD, size=SMALL)
