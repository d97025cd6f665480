"""Payment receipts (an 80 mm receipt-printer layout in HTML, and the same as PDF through WeasyPrint)
and the day's bank deposit slip."""

from civicbill.payments.receipts.build import ReceiptDocument, receipt_document
from civicbill.payments.receipts.deposit_slip import deposit_slip_html, deposit_slip_pdf
from civicbill.payments.receipts.render import receipt_html, receipt_pdf

__all__ = [
    "ReceiptDocument",
    "deposit_slip_html",
    "deposit_slip_pdf",
    "receipt_document",
    "receipt_html",
    "receipt_pdf",
]
