"""The print file of a collections run's notices: every notice letter of the run in one PDF, in mail
sort order (billing.documents.mailsort: ZIP, street, house number, account), each letter as many times
as it has copies (a notice to tenants: one per dwelling unit). Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field

from civicbill.collections.models import CollectionNotice
from civicbill.collections.notice_selectors import run_get, run_notices_in_mail_order
from civicbill.core.exceptions import ApplicationError
from civicbill.correspondence.render import letter_html


@dataclass(frozen=True, slots=True)
class PrintedNotice:
    sequence: int  # 1-based position in the print file
    notice: CollectionNotice
    first_page: int
    pages: int  # all copies

    def as_dict(self) -> dict[str, object]:
        notice = self.notice
        return {
            "sequence": self.sequence,
            "notice_id": notice.pk,
            "kind": notice.kind,
            "account": notice.account.number,
            "recipient": notice.recipient_name,
            "zip": notice.recipient_zip,
            "language": notice.language,
            "copies": notice.copies,
            "first_page": self.first_page,
            "pages": self.pages,
        }


@dataclass
class NoticePrintFile:
    run_id: int
    printed: list[PrintedNotice] = field(default_factory=list)
    pdf: bytes = b""

    @property
    def page_count(self) -> int:
        return sum(p.pages for p in self.printed)

    def as_dict(self) -> dict[str, object]:
        return {
            "run": self.run_id,
            "notices": len(self.printed),
            "pages": self.page_count,
            "items": [p.as_dict() for p in self.printed],
        }


def run_notices_print_file(run_id: int) -> NoticePrintFile:
    """All the notices of posted run ``run_id`` in one PDF, in mail sort order."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango at import time

    run = run_get(run_id)
    if run.trial:
        raise ApplicationError(f"Run {run_id} is a trial: it sent no notices.", field="run", code="trial")
    notices = run_notices_in_mail_order(run)
    result = NoticePrintFile(run_id=run.pk)
    if not notices:
        raise ApplicationError(f"Run {run_id} sent no notices.", field="run", code="no_notices")
    pages = []
    first_page = 1
    for sequence, notice in enumerate(notices, start=1):
        document = HTML(string=letter_html(notice.letter)).render()
        letter_pages = list(document.pages) * notice.copies
        pages.append((document, letter_pages))
        result.printed.append(PrintedNotice(sequence, notice, first_page, len(letter_pages)))
        first_page += len(letter_pages)
    first_document = pages[0][0]
    result.pdf = bytes(
        first_document.copy([page for _, doc_pages in pages for page in doc_pages]).write_pdf()
    )
    return result
