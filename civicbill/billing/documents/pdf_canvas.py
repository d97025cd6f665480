"""Drawing on a bill's PDF page (ReportLab): the page geometry, colours and fonts, fast text
operations, the watermark, the Code 128 barcode, and labels translated once per language.

The standard PDF fonts (Helvetica, Courier) carry every Spanish letter.
"""

from __future__ import annotations

import functools

from django.utils.translation import get_language, gettext
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.rl_accel import escapePDF
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from civicbill.billing.documents.code128 import code128_bars

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


def label(message: str) -> str:
    """gettext, remembered per language: a print run asks for the same few labels 10,000 times."""
    return _translated(get_language(), message)


def show(canvas: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """Append one text-showing operation to the page's content stream.

    The same PDF operators ``Canvas.drawString`` writes, without its per-call text object: a print
    run draws over a million strings, and this is most of the drawing time saved. Standard fonts
    use WinAnsi (cp1252), which holds every Spanish letter; anything else prints as "?".
    """
    encoded = escapePDF(text.encode("cp1252", "replace"))
    font_ref = canvas._doc.getInternalFontName(font)
    canvas._code.append(f"BT {font_ref} {size:g} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm ({encoded}) Tj ET")


def text(canvas: Canvas, x: float, y: float, text: str, *, font: str = FONT, size: float = 8.5) -> None:
    show(canvas, x, y, text, font, size)


def right(canvas: Canvas, x: float, y: float, text: str, *, font: str = FONT, size: float = 8.5) -> None:
    show(canvas, x - stringWidth(text, font, size), y, text, font, size)


def centred(canvas: Canvas, x: float, y: float, text: str, *, font: str = FONT, size: float = 8.5) -> None:
    show(canvas, x - stringWidth(text, font, size) / 2, y, text, font, size)


def wrapped(
    canvas: Canvas, x: float, y: float, text: str, width: float, *, font: str = FONT, size: float = 8.0
) -> float:
    """Draw ``text`` wrapped to ``width``; returns the baseline below the last line."""
    for line in simpleSplit(text, font, size, width):
        show(canvas, x, y, line, font, size)
        y -= size + 2
    return y


def watermark(canvas: Canvas, text: str) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(0.8, 0.1, 0.1, alpha=0.22)
    canvas.setFont(BOLD, 64)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2 + 40)
    canvas.rotate(35)
    canvas.drawCentredString(0, 0, text)
    canvas.restoreState()


def barcode(canvas: Canvas, text: str, *, x: float, y: float, height: float) -> None:
    module = 0.9  # points per module (about 0.0125 in, within Code 128's usual 0.0075-0.015 in)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for start, width in code128_bars(text):
        path.rect(x + start * module, y, width * module, height)
    canvas.drawPath(path, fill=1, stroke=0)
    canvas.restoreState()
