"""How to pay, where to ask, and where the payment goes: the bill's footer and the stub's remittance
address (ReportLab drawing only; the words come from the document, built in ``build.py``).

- The footer sits just above the perforation, across the page: how to pay (online, phone, AutoPay,
  mail, in person with office hours, drop box), then financial help and bill review. (The line in the
  other language saying how to get the bill in it is the last of the bill's messages.)
- The remittance address is drawn where a #9 return envelope's window shows it once the stub is
  folded in: :data:`ENVELOPE_9_WINDOW` (7/8 in from the left, 5/8 in from the bottom, 4 1/2 by
  1 1/8 in), with a quarter inch kept clear inside it (:data:`REMITTANCE_AREA`) for the stub's play
  in the envelope. Nothing else on the stub is drawn there.
"""

from __future__ import annotations

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from civicbill.billing.documents.model import BillDocument

INCH = 72.0
# (left, bottom, right, top) in points from the page's bottom-left corner (the stub's, once torn off)
ENVELOPE_9_WINDOW = (7 / 8 * INCH, 5 / 8 * INCH, (7 / 8 + 4.5) * INCH, (5 / 8 + 1.125) * INCH)
CLEARANCE = 0.25 * INCH
REMITTANCE_AREA = (
    ENVELOPE_9_WINDOW[0] + CLEARANCE,
    ENVELOPE_9_WINDOW[1] + CLEARANCE / 2,
    ENVELOPE_9_WINDOW[2] - CLEARANCE,
    ENVELOPE_9_WINDOW[3] - CLEARANCE / 2,
)
REMITTANCE_SIZE = 10.0
REMITTANCE_LEADING = 12.0

FONT = "Helvetica"
FOOTER_SIZE = 6.5
FOOTER_LEADING = FOOTER_SIZE + 1.3


def _paragraphs(document: BillDocument) -> list[tuple[str, str]]:
    """(font, text) of the footer's paragraphs, in order."""
    found = [(FONT, document.how_to_pay), (FONT, document.help_text)]
    return [(font, text) for font, text in found if text]


def footer_lines(document: BillDocument, width: float) -> list[tuple[str, str]]:
    """The footer as (font, line) pairs wrapped to ``width``."""
    lines: list[tuple[str, str]] = []
    for font, text in _paragraphs(document):
        lines.extend((font, line) for line in simpleSplit(text, font, FOOTER_SIZE, width))
    return lines


def footer_height(document: BillDocument, width: float) -> float:
    """The height :func:`draw_footer` takes (0 without a footer)."""
    lines = footer_lines(document, width)
    return len(lines) * FOOTER_LEADING + 4 if lines else 0.0


def draw_footer(canvas: Canvas, document: BillDocument, *, x: float, bottom: float, width: float) -> None:
    """Draw the footer with its last line's baseline at ``bottom``, a thin rule above it."""
    lines = footer_lines(document, width)
    if not lines:
        return
    y = bottom + (len(lines) - 1) * FOOTER_LEADING
    canvas.saveState()
    canvas.setLineWidth(0.3)
    canvas.line(x, y + FOOTER_SIZE + 2, x + width, y + FOOTER_SIZE + 2)
    canvas.setFillColorRGB(0, 0, 0)
    for font, line in lines:
        canvas.setFont(font, FOOTER_SIZE)
        canvas.drawString(x, y, line)
        y -= FOOTER_LEADING
    canvas.restoreState()


def remittance_lines(document: BillDocument) -> list[str]:
    """The remittance address as printed, each line cut to fit the window."""
    left, _bottom, right, _top = REMITTANCE_AREA
    width = right - left
    fitted = []
    for line in document.remittance_lines[:4]:
        text = line.upper()
        while text and stringWidth(text, FONT, REMITTANCE_SIZE) > width:
            text = text[:-1]
        fitted.append(text)
    return fitted


def draw_remittance_address(canvas: Canvas, document: BillDocument) -> None:
    """The utility's remittance address, inside the #9 envelope window's clear area."""
    left, bottom, _right, top = REMITTANCE_AREA
    lines = remittance_lines(document)
    block = len(lines) * REMITTANCE_LEADING
    y = bottom + (top - bottom + block) / 2 - REMITTANCE_SIZE  # the block centred in the area
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for line in lines:
        canvas.setFont(FONT, REMITTANCE_SIZE)
        canvas.drawString(left, y, line)
        y -= REMITTANCE_LEADING
    canvas.restoreState()
