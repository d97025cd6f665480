"""Receipts: 80 mm HTML and PDF, in the customer's language, VOID and REPRINT marks."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from civicbill.core.money import Money
from civicbill.payments import selectors, services
from civicbill.payments.receipts import receipt_document, receipt_html, receipt_pdf
from civicbill.payments.services import AccountAmount, TenderInput
from tests.fixtures.payments import at

M = Money.parse
pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa_paid(frozen: Any, drawers: Any, ana: Any, rosa_account: Any) -> Any:
    session = services.drawer_session_open(
        drawer=drawers[0], starting_float=M("100.00"), as_of=at(8), actor=ana
    )
    return services.payment_take(
        session=session,
        accounts=[AccountAmount(rosa_account, M("100.00"))],
        tenders=[
            TenderInput("check", M("50.00"), check_number="2231", bank_name="Coachella Valley Bank"),
            TenderInput("cash", M("60.00")),
        ],
        idempotency_key="r1",
        as_of=at(9, 41),
        actor=ana,
    )


def test_a_receipt_in_english_shows_services_credit_tenders_and_change(rosa_paid: Any) -> None:
    payment = selectors.payment_for_receipt(rosa_paid.receipt_number)
    html = receipt_html(receipt_document(payment, language="en"))
    assert "size: 80mm" in html
    for text in (
        f'Receipt</td><td class="amount">{payment.receipt_number}',
        "Dec 1, 2026 09:41",
        "Account 1000001-",
        "Rosa Peña",
        '<td>Water</td><td class="amount">$48.20</td>',
        '<td>Sewer</td><td class="amount">$41.81</td>',
        '<td>Credit on account</td><td class="amount">$9.99</td>',
        '<td>Total paid</td><td class="amount">$100.00</td>',
        '<td>Check #2231 Coachella Valley Bank</td><td class="amount">$50.00</td>',
        '<td>Cash</td><td class="amount">$60.00</td>',
        '<td>Change</td><td class="amount">$10.00</td>',
    ):
        assert text in html, text
    assert "VOID" not in html and "REPRINT" not in html


def test_a_receipt_is_in_the_customers_language(rosa_paid: Any) -> None:
    payment = selectors.payment_for_receipt(rosa_paid.receipt_number)
    html = receipt_html(receipt_document(payment))  # Rosa prefers Spanish
    assert '<html lang="es">' in html
    assert "<td>Agua</td>" in html and "<td>Alcantarillado</td>" in html


def test_a_void_receipt_says_void_and_a_reprint_says_reprint(
    rosa_paid: Any, ana: Any, supervisor: Any
) -> None:
    services.payment_void(
        payment=rosa_paid, reason="Wrong amount", approved_by=supervisor, as_of=at(10), actor=ana
    )
    reprinted = services.receipt_reprint(payment=rosa_paid, actor=ana)
    assert reprinted.reprint_count == 1
    payment = selectors.payment_for_receipt(rosa_paid.receipt_number)
    html = receipt_html(receipt_document(payment, reprint=True, language="en"))
    assert '<div class="void">VOID</div>' in html
    assert "Wrong amount" in html
    assert "REPRINT" in html


def test_a_receipt_pdf_is_one_80_mm_page(rosa_paid: Any, tmp_path: Path) -> None:
    payment = selectors.payment_for_receipt(rosa_paid.receipt_number)
    pdf = receipt_pdf(receipt_document(payment, language="en"))
    (tmp_path / "receipt.pdf").write_bytes(pdf)  # to look at: pdftoppm -png receipt.pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 80
    text = reader.pages[0].extract_text()
    assert payment.receipt_number in text and "$100.00" in text
