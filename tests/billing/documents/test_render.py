"""Bill PDFs: the text a customer reads, in English and Spanish, VOID and DRAFT marks, page 2."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from civicbill.billing.documents import bill_pdf
from civicbill.billing.documents.build import bill_documents
from civicbill.billing.documents.render import bills_pdf, page_count
from civicbill.billing.models import Bill, BillRun
from civicbill.core.exceptions import NotFoundError
from tests.fixtures.accounts import build_account
from tests.fixtures.billing import BILLED_SINCE, make_november_bill

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> list[str]:
    """Each page's text with runs of spaces made single (pypdf spaces columns out)."""
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages]


def test_the_english_bill_says_what_a_customer_needs(tom_bill: Bill) -> None:
    [text] = pdf_text(bill_pdf(bill_number="2611-000002"))
    account = tom_bill.account.number
    digits = account.replace("-", "")
    for phrase in (
        "City of Coachella Utility Billing",
        "Utility bill",
        "Bill 2611-000002",
        "Page 1 of 1",
        "TOM BAKER",
        "81 GRAPEFRUIT BLVD",
        f"Account number {account}",
        "Service address 81 Grapefruit Blvd, Coachella, CA 92236",
        "Service period Oct 29, 2026 – Nov 28, 2026",
        "Bill date November 30, 2026",
        "Due date December 21, 2026",
        "Amount due $78.11",
        "Previous Oct 28, 2026 1,234",
        "Current Nov 28, 2026 1,249",
        "Meter BDG-340017",
        "Water used: 15 HCF in 31 days (1 HCF = 748 gallons)",
        "Water use, last 13 months (HCF)",
        'Meter charge (3/4" meter) $13.80 $13.80',
        "Water usage, tier 1 (0–41 HCF) 15 HCF $1.50 $22.50",
        "Total Water $36.30",
        "Sewer service 1 unit $41.81 $41.81",
        "Total Sewer $41.81",
        "Previous balance $90.01",
        "Payments received - thank you $90.01 CR",
        "Adjustments $0.00",
        "Total amount due $78.11",
        "Please pay by December 21, 2026",
        "Messages",
        "become delinquent, and a penalty of up to 10% of the delinquent charges is added",
        "(California Government Code §54348)",
        "You used 25% more water than in November 2025.",
        "Please detach here and return this part with your payment.",
        "Amount enclosed",
        f"{digits} 000007811 20261221 ",
    ):
        assert phrase in text, phrase
    assert "13E" in text  # the estimated month is marked on the chart


def test_the_spanish_bill_is_in_spanish(rosa_bill: Bill) -> None:
    [text] = pdf_text(bill_pdf(bill_number="2611-000001"))
    for phrase in (
        "Factura de servicios",
        "Factura 2611-000001",
        "Página 1 de 1",
        "ROSA PEÑA",
        "Número de cuenta",
        "Fecha de vencimiento 21 de diciembre de 2026",
        "Cantidad a pagar $78.11",
        "Lecturas de su medidor",
        "Agua usada: 15 HCF en 31 días (1 HCF = 748 galones)",
        'Cargo por medidor (medidor de 3/4") $13.80 $13.80',
        "Consumo de agua, nivel 1 (0–41 HCF) 15 HCF $1.50 $22.50",
        "Total Agua $36.30",
        "Servicio de alcantarillado 1 unidad $41.81 $41.81",
        "Total Alcantarillado $41.81",
        "Saldo anterior $90.01",
        "Total a pagar $78.11",
        "Por favor, pague a más tardar el 21 de diciembre de 2026",
        "Mensajes",
        "Recargo por pago tardío",
        "(Código de Gobierno de California, §54348)",
        "Por favor, corte aquí y devuelva esta parte con su pago.",
    ):
        assert phrase in text, phrase
    assert "Utility bill" not in text and "Due date" not in text


def test_a_cancelled_bill_is_marked_void(tom_bill: Bill) -> None:
    Bill.objects.filter(pk=tom_bill.pk).update(status=Bill.Status.CANCELLED, cancel_reason="read keyed wrong")
    [text] = pdf_text(bill_pdf(bill_number="2611-000002"))
    assert "VOID - CANCELLED" in text
    assert "This bill was cancelled: read keyed wrong" in text


def test_a_draft_is_marked_as_not_a_bill(frozen: Any, csr: User, technician: User) -> None:
    from tests.fixtures.billing import make_run

    run = make_run(technician, status=BillRun.Status.TRIAL)
    account = build_account(
        csr=csr,
        first_name="Ana",
        last_name="Ruiz",
        language="en",
        house="9",
        street="Avenue 50",
        zip_code="92236",
        start_date=BILLED_SINCE,
    )
    make_november_bill(account, run, number="2611-000077", status=Bill.Status.DRAFT)
    [text] = pdf_text(bill_pdf(bill_number="2611-000077"))
    assert "DRAFT - NOT A BILL" in text


def test_charges_that_do_not_fit_continue_on_page_two(frozen: Any, csr: User, bill_run: BillRun) -> None:
    account = build_account(
        csr=csr,
        first_name="Big",
        last_name="Farm",
        language="en",
        house="1",
        street="Avenue 60",
        zip_code="92236",
        start_date=BILLED_SINCE,
    )
    lines = [
        {
            "service": "water",
            "charge_key": "commodity_charge",
            "description": f"Water usage, tier {n} (block {n})",
            "quantity": Decimal(10),
            "unit": "HCF",
            "tier": n,
            "price": "1.50",
            "amount_cents": 1500,
        }
        for n in range(1, 31)
    ]
    make_november_bill(account, bill_run, number="2611-000088", lines=lines, current_charges_cents=45000)
    [document] = bill_documents([Bill.objects.get(number="2611-000088").pk])
    assert page_count(document) == 2
    content, placed = bills_pdf([document])
    first, second = pdf_text(content)
    assert placed[0].pages == 2
    assert "Page 1 of 2" in first and "Charges continue on page 2." in first
    assert "Page 2 of 2" in second and "Charges (continued)" in second
    assert "Amount Water Water usage, tier" in second  # the split service's heading is repeated
    assert "Water usage, tier 30 (block 30) 10 HCF $1.50 $15.00" in second
    assert "Total Water $450.00" in second
    assert "Please detach here" in first  # the stub stays on page 1


def test_an_unknown_bill_number_is_not_found(db: Any) -> None:
    with pytest.raises(NotFoundError, match="No bill numbered '9999'"):
        bill_pdf(bill_number="9999")


def test_a_bill_without_a_meter_says_so(frozen: Any, csr: User, bill_run: BillRun) -> None:
    account = build_account(
        csr=csr,
        first_name="Cafe",
        last_name="Sol",
        language="en",
        house="5",
        street="Avenue 52",
        zip_code="92236",
        start_date=BILLED_SINCE,
    )
    refuse = {
        "service": "refuse",
        "charge_key": "refuse_charge",
        "description": "Refuse collection, 3-yard bin",
        "quantity": Decimal(2),
        "unit": "container",
        "price": "145.00",
        "amount_cents": 29000,
    }
    make_november_bill(
        account,
        bill_run,
        number="2611-000099",
        lines=[refuse],
        meter_serial="",
        previous_read=None,
        previous_read_on=None,
        current_read=None,
        current_read_on=None,
        consumption_hcf=Decimal(0),
        current_charges_cents=29000,
        total_due_cents=29000,
    )
    [text] = pdf_text(bill_pdf(bill_number="2611-000099"))
    assert "No metered service on this account." in text
    assert "Refuse collection, 3-yard bin 2 containers $145.00 $290.00" in text
    assert "Total Refuse $290.00" in text
    assert "Total amount due $290.00" in text


def test_the_screen_version_shows_the_same_bill(rosa_bill: Bill, tom_bill: Bill) -> None:
    from civicbill.billing.documents.html import bill_html

    english, spanish = bill_documents([tom_bill.pk, rosa_bill.pk])
    page = bill_html(english)
    for phrase in (
        "Utility bill",
        "Bill 2611-000002",
        "Water used: 15 HCF in 31 days (1 HCF = 748 gallons)",
        "Water usage, tier 1 (0–41 HCF)",
        "Total Water",
        "$36.30",
        "Total amount due",
        "Please pay by December 21, 2026",
        "(California Government Code §54348)",
        "<title>Code 128: " + english.scan_line + "</title>",
        "<title>Water use, last 13 months (HCF)</title>",
    ):
        assert phrase in page, phrase
    assert 'lang="es"' in bill_html(spanish) and "Factura de servicios" in bill_html(spanish)


def test_a_long_spanish_bill_keeps_its_charges_on_page_one_as_the_english_one_does(
    frozen: Any, csr: User, bill_run: BillRun
) -> None:
    """The Spanish footer (how to pay, help, bill review) wraps to as many lines as the English one, so
    it takes no charge row from page 1: a bill whose charges fill page 1 in English is one page in
    Spanish too (it was two: the Spanish footer took a fifth line)."""
    from django.utils import translation

    from civicbill.billing.documents import payinfo
    from civicbill.billing.documents.render import CONTENT_WIDTH, _rows_on_page_one

    documents = {}
    for language, house in (("en", "11"), ("es", "12")):
        account = build_account(
            csr=csr, first_name="Ana", last_name="Ruiz", language=language, house=house, street="Avenue 60",
            zip_code="92236", start_date=BILLED_SINCE,
        )  # fmt: skip
        lines = [
            {"service": "water", "charge_key": "commodity_charge", "description": f"Water usage, tier {n}",
             "quantity": Decimal(10), "unit": "HCF", "tier": n, "price": "1.50", "amount_cents": 1500}
            for n in range(1, 10)
        ]  # fmt: skip
        number = f"2611-0000{house}"
        make_november_bill(account, bill_run, number=number, lines=lines, current_charges_cents=13500)
        [documents[language]] = bill_documents([Bill.objects.get(number=number).pk])
    fits = {}
    for language, document in documents.items():
        with translation.override(language):
            fits[language] = _rows_on_page_one(document)[0]
            assert len(payinfo.footer_lines(document, CONTENT_WIDTH)) == 4
    assert fits["es"] == fits["en"] == 11  # 9 lines, the heading and the subtotal
    assert page_count(documents["es"]) == page_count(documents["en"]) == 1
    content, placed = bills_pdf([documents["es"]])
    assert placed[0].pages == 1
    [page] = pdf_text(content)
    assert "Cómo pagar" in page and "Página 1 de 1" in page
