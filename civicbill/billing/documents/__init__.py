"""Bills customers can read: the view-model, scan line, barcode, usage chart, PDF and print files.

Pure modules: ``model`` (BillDocument), ``code128``, ``chart``, ``mailsort``, ``render``
(ReportLab: the page layout, drawing ``sections`` and the ``stub`` with ``pdf_canvas``); the scan
line and the money/date wording every customer document shares live in ``civicbill.core.scanline``
and ``civicbill.core.wording`` (payments' receipts and lockbox use them too). ``build`` loads
documents set-based; ``files`` gives one bill's PDF, a run's print file and
the print vendor's CSV extract. See docs/bills.md.
"""

from civicbill.billing.documents.build import bill_documents, run_bill_documents
from civicbill.billing.documents.files import (
    EXTRACT_COLUMNS,
    PrintRun,
    bill_document,
    bill_pdf,
    printable_run,
    run_print_extract,
    run_print_file,
    write_extract_csv,
)
from civicbill.billing.documents.model import BillDocument
from civicbill.core.scanline import ScanLine, ScanLineError, build_scan_line, parse_scan_line

__all__ = [
    "EXTRACT_COLUMNS",
    "BillDocument",
    "PrintRun",
    "ScanLine",
    "ScanLineError",
    "bill_document",
    "bill_documents",
    "bill_pdf",
    "build_scan_line",
    "parse_scan_line",
    "printable_run",
    "run_bill_documents",
    "run_print_extract",
    "run_print_file",
    "write_extract_csv",
]
