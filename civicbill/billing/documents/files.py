"""Bill files: one bill's PDF, a run's print file (one PDF in mail sort order) and the print
vendor's CSV extract. Reads only; nothing here changes the database.

The print file holds every issued bill of a committed run whose account is not paperless, sorted
for the mail (``mailsort.py``). Paperless bills are left out of the PDF and the extract and listed
in the result. Rendering is spread over worker processes (``fork``: each draws a contiguous slice
of the sorted bills into its own PDF) while this process joins the finished parts, in order, with
pypdf.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicbill.billing.documents.build import bill_documents, run_bill_documents
from civicbill.billing.documents.model import BillDocument
from civicbill.billing.documents.render import RenderedBill, bill_pdf_bytes, bills_pdf, page_count
from civicbill.billing.models import Bill, BillRun
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.scanline import format_scan_line

Progress = Callable[[int, int], None]  # (bills done, bills in all)

CHUNK_BILLS = 250  # bills a worker renders into one part
EXTRACT_COLUMNS = (
    "sequence",
    "bill_number",
    "account_number",
    "customer_name",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "zip",
    "language",
    "bill_kind",
    "total_due",
    "amount_due",
    "due_date",
    "scan_line",
    "first_page",
    "page_count",
)


@dataclass(frozen=True, slots=True)
class PrintedBill:
    sequence: int  # 1-based position in the print file
    document: BillDocument
    first_page: int
    pages: int

    def extract_row(self) -> dict[str, str]:
        document = self.document
        lines = [*document.mailing_lines, "", "", ""][:3]
        return {
            "sequence": str(self.sequence),
            "bill_number": document.bill_number,
            "account_number": document.account_number,
            "customer_name": document.customer_name,
            "address_line_1": lines[0],
            "address_line_2": lines[1],
            "address_line_3": lines[2],
            "zip": document.mailing_zip,
            "language": document.language,
            "bill_kind": document.kind,
            "total_due": str(document.total_due),
            "amount_due": str(document.amount_due),
            "due_date": document.due_date.isoformat(),
            "scan_line": format_scan_line(document.scan_line),
            "first_page": str(self.first_page),
            "page_count": str(self.pages),
        }


@dataclass(frozen=True, slots=True)
class PrintRun:
    run_id: int
    printed: tuple[PrintedBill, ...]
    paperless: tuple[BillDocument, ...]  # issued, sent by email, not in the print file

    @property
    def pages(self) -> int:
        return sum(bill.pages for bill in self.printed)

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "bills_printed": len(self.printed),
            "pages": self.pages,
            "total_due_cents": sum(bill.document.total_due.cents for bill in self.printed),
            "paperless_bills": [
                {"bill_number": d.bill_number, "account_number": d.account_number, "email": d.email}
                for d in self.paperless
            ],
        }


# -- one bill -------------------------------------------------------------------------------------


def bill_document(*, bill_number: str, language: str | None = None) -> BillDocument:
    """The document of one bill (draft, issued or cancelled), in the customer's language unless
    ``language`` is given. Raises NotFoundError."""
    bill_id = Bill.objects.filter(number=bill_number.strip()).values_list("pk", flat=True).first()
    if bill_id is None:
        raise NotFoundError(f"No bill numbered {bill_number.strip()!r}.", field="bill_number")
    return bill_documents([bill_id], language=language)[0]


def bill_pdf(*, bill_number: str) -> bytes:
    """One bill as PDF bytes, in the customer's language; a cancelled bill is marked VOID, a draft
    DRAFT. Raises NotFoundError for an unknown number."""
    return bill_pdf_bytes(bill_document(bill_number=bill_number))


# -- a run ----------------------------------------------------------------------------------------


def printable_run(run_id: int) -> BillRun:
    """The run, if its bills can be printed (committed). Raises NotFoundError / ApplicationError."""
    run = BillRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFoundError(f"No billing run {run_id}.", field="run")
    if run.status in (BillRun.Status.TRIAL_RUNNING, BillRun.Status.TRIAL):
        raise ApplicationError(
            f"Run {run_id} is a trial: its bills are drafts, not issued. Commit the run before printing "
            "(a draft can be looked at one by one with --bill).",
            code="run_not_committed",
            field="run",
        )
    if run.status == BillRun.Status.COMMITTING:
        raise ApplicationError(
            f"Run {run_id} is still committing; print it when it has finished.", code="run_not_committed"
        )
    if run.status in (BillRun.Status.FAILED, BillRun.Status.CANCELLED):
        raise ApplicationError(
            f"Run {run_id} is {run.status}: it has no bills to print.", code="run_not_printable"
        )
    return run


def run_print_documents(run_id: int) -> tuple[list[BillDocument], list[BillDocument]]:
    """(bills to print in mail sort order, paperless bills) of a committed run."""
    printable_run(run_id)
    documents = [d for d in run_bill_documents(run_id) if d.status == Bill.Status.ISSUED]
    return [d for d in documents if not d.paperless], [d for d in documents if d.paperless]


def _placed(documents: Sequence[BillDocument], rendered: Sequence[RenderedBill]) -> tuple[PrintedBill, ...]:
    return tuple(
        PrintedBill(sequence=index, document=document, first_page=place.first_page, pages=place.pages)
        for index, (document, place) in enumerate(zip(documents, rendered, strict=True), start=1)
    )


def run_print_extract(run_id: int) -> PrintRun:
    """The run's print list without drawing (page counts from the layout)."""
    documents, paperless = run_print_documents(run_id)
    printed = []
    page = 1
    for index, document in enumerate(documents, start=1):
        pages = page_count(document)
        printed.append(PrintedBill(sequence=index, document=document, first_page=page, pages=pages))
        page += pages
    return PrintRun(run_id=run_id, printed=tuple(printed), paperless=tuple(paperless))


def write_extract_csv(print_run: PrintRun, out: io.TextIOBase | io.StringIO) -> None:
    writer = csv.DictWriter(out, fieldnames=EXTRACT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for bill in print_run.printed:
        writer.writerow(bill.extract_row())


def run_print_file(run_id: int, *, out: Path, workers: int = 2, progress: Progress | None = None) -> PrintRun:
    """Write the run's print file to ``out``; returns what it holds."""
    documents, paperless = run_print_documents(run_id)
    content, rendered = render_many(
        documents, workers=workers, progress=progress, title=f"Billing run {run_id}"
    )
    out.write_bytes(content)
    return PrintRun(run_id=run_id, printed=_placed(documents, rendered), paperless=tuple(paperless))


# -- rendering many bills -------------------------------------------------------------------------

_FORKED_DOCUMENTS: Sequence[BillDocument] = ()


def _render_slice(bounds: tuple[int, int]) -> tuple[bytes, list[RenderedBill]]:
    start, end = bounds
    return bills_pdf(_FORKED_DOCUMENTS[start:end])


def render_many(
    documents: Sequence[BillDocument],
    *,
    workers: int = 2,
    progress: Progress | None = None,
    title: str = "Bills",
) -> tuple[bytes, list[RenderedBill]]:
    """All these bills in one PDF, in order: slices of :data:`CHUNK_BILLS` bills are drawn by
    ``workers`` forked processes while this process joins the finished slices (pypdf)."""
    joiner = _Joiner(title=title)
    for part in render_parts(documents, workers=workers, progress=progress, title=title):
        joiner.add(part)
    return joiner.finish()


def render_parts(
    documents: Sequence[BillDocument],
    *,
    workers: int = 2,
    progress: Progress | None = None,
    title: str = "Bills",
) -> Iterator[tuple[bytes, list[RenderedBill]]]:
    """PDFs of consecutive slices of :data:`CHUNK_BILLS` bills, in order, as they are finished
    (by forked workers when ``workers`` > 1 and there is more than one slice)."""
    global _FORKED_DOCUMENTS
    total = len(documents)
    slices = [(start, min(start + CHUNK_BILLS, total)) for start in range(0, total, CHUNK_BILLS)]
    if workers <= 1 or len(slices) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for start, end in slices:
            yield bills_pdf(documents[start:end], title=title)
            if progress:
                progress(end, total)
        return
    _FORKED_DOCUMENTS = documents
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for (_start, end), part in zip(slices, pool.imap(_render_slice, slices), strict=True):
                yield part
                if progress:
                    progress(end, total)
    finally:
        _FORKED_DOCUMENTS = ()


class _Joiner:
    """Collects rendered parts into one PDF, renumbering each bill's first page."""

    def __init__(self, *, title: str) -> None:
        self.title = title
        self.parts: list[tuple[bytes, list[RenderedBill]]] = []
        self.rendered: list[RenderedBill] = []
        self.pages = 0
        self.writer: Any = None

    def add(self, part: tuple[bytes, list[RenderedBill]]) -> None:
        from pypdf import PdfReader, PdfWriter

        content, placed = part
        self.parts.append(part)
        if len(self.parts) == 2:  # a second part: from now on, join (one part is returned as it is)
            self.writer = PdfWriter()
            self.writer.append(PdfReader(io.BytesIO(self.parts[0][0])))
        if self.writer is not None and len(self.parts) >= 2:
            self.writer.append(PdfReader(io.BytesIO(content)))
        self.rendered.extend(
            RenderedBill(bill_number=p.bill_number, first_page=p.first_page + self.pages, pages=p.pages)
            for p in placed
        )
        self.pages += sum(p.pages for p in placed)

    def finish(self) -> tuple[bytes, list[RenderedBill]]:
        if not self.parts:
            return bills_pdf([], title=self.title)
        if self.writer is None:
            return self.parts[0]
        self.writer.add_metadata({"/Title": self.title, "/Author": "civicbill"})
        buffer = io.BytesIO()
        self.writer.write(buffer)
        return buffer.getvalue(), self.rendered
