"""Loading bill documents: what each holds, and a fixed number of queries for any number of bills."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from civicbill.billing.documents import bill_documents, run_bill_documents
from civicbill.billing.documents.chart import usage_chart_svg
from civicbill.billing.documents.mailsort import mail_sort_key
from civicbill.billing.models import Bill, BillRun
from civicbill.core.money import Money
from tests.fixtures.accounts import build_account
from tests.fixtures.billing import BILLED_SINCE, add_history, make_november_bill

pytestmark = pytest.mark.django_db


def test_the_coachella_bill_as_a_document(tom_bill: Bill) -> None:
    [document] = bill_documents([tom_bill.pk])
    assert document.bill_number == "2611-000002"
    assert document.language == "en"
    assert document.account_number == tom_bill.account.number
    assert document.customer_name == "Tom Baker"
    assert document.mailing_lines == ("81 Grapefruit Blvd", "Coachella, CA 92236")
    assert document.service_address == "81 Grapefruit Blvd, Coachella, CA 92236"
    assert (document.period_start, document.period_end, document.days) == (
        dt.date(2026, 10, 29),
        dt.date(2026, 11, 28),
        31,
    )
    assert [(s.service, s.label, s.subtotal) for s in document.sections] == [
        ("water", "Water", Money.parse("36.30")),
        ("sewer", "Sewer", Money.parse("41.81")),
    ]
    assert [line.description for line in document.sections[0].lines] == [
        'Meter charge (3/4" meter)',
        "Water usage, tier 1 (0–41 HCF)",
    ]
    assert document.previous_balance == Money.parse("90.01")
    assert document.payments == Money.parse("-90.01")
    assert document.balance_forward == Money.zero()
    assert document.current_charges == document.total_due == document.amount_due == Money.parse("78.11")
    digits = tom_bill.account.number.replace("-", "")
    assert document.scan_line.startswith(f"{digits}00000781120261221")
    assert document.messages == (
        "You used 25% more water than in November 2025.",
        "15 HCF is 11,220 gallons: about 362 gallons a day.",
        "Para recibir su factura en español, llame al (760) 555-0100.",
    )


def test_usage_chart_is_thirteen_months_ending_with_this_bill(tom_bill: Bill) -> None:
    [document] = bill_documents([tom_bill.pk])
    usage = document.usage
    assert usage[0].period == dt.date(2025, 11, 1)
    assert usage[-1].period == dt.date(2026, 11, 1)
    assert [m.usage_hcf for m in usage] == [
        Decimal(v) for v in (12, 13, 15, 18, 22, 25, 27, 26, 21, 17, 14, 13, 15)
    ]
    assert [m.estimated for m in usage].count(True) == 1 and usage[11].estimated  # October was estimated
    assert [m.current for m in usage] == [False] * 12 + [True]
    svg = usage_chart_svg(
        usage, labels=[f"{m.period:%b}" for m in usage], title="Use", estimated_label="est."
    )
    assert svg.count("<rect ") == 13 + 1  # 13 bars + the hatch pattern's stripe
    assert "Oct 13 (est.)" in svg and "Nov 15" in svg


def test_a_month_without_a_bill_has_no_bar(frozen: Any, csr: User, bill_run: BillRun) -> None:
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
    bill = make_november_bill(account, bill_run, number="2611-000009")
    [document] = bill_documents([bill.pk])
    assert [m.usage_hcf for m in document.usage] == [None] * 12 + [Decimal(15)]


def test_the_spanish_bill_translates_services_charges_and_messages(rosa_bill: Bill) -> None:
    [document] = bill_documents([rosa_bill.pk])
    assert document.language == "es"
    assert [s.label for s in document.sections] == ["Agua", "Alcantarillado"]
    assert [line.description for line in document.sections[0].lines] == [
        'Cargo por medidor (medidor de 3/4")',
        "Consumo de agua, nivel 1 (0–41 HCF)",
    ]
    assert document.sections[1].lines[0].description == "Servicio de alcantarillado"
    assert document.messages[0] == "Usó 25 % más agua que en noviembre de 2025."


def test_documents_load_in_four_queries_whatever_the_number_of_bills(
    frozen: Any, csr: User, bill_run: BillRun, django_assert_num_queries: Any
) -> None:
    bills = []
    for index in range(4):
        account = build_account(
            csr=csr,
            first_name=f"P{index}",
            last_name="Diaz",
            language="en",
            house=str(10 + index),
            street="Avenue 52",
            zip_code="92236",
            start_date=BILLED_SINCE,
        )
        add_history(account, prefix=f"X{index}-")
        bills.append(make_november_bill(account, bill_run, number=f"2611-10000{index}"))
    with django_assert_num_queries(4):
        one = bill_documents([bills[0].pk])
    with django_assert_num_queries(4):
        four = bill_documents([b.pk for b in reversed(bills)])
    with django_assert_num_queries(4):
        run = run_bill_documents(bill_run.pk)
    assert len(one) == 1
    assert [d.bill_number for d in four] == ["2611-100003", "2611-100002", "2611-100001", "2611-100000"]
    assert all(len(d.usage) == 13 and d.usage[0].usage_hcf == Decimal(12) for d in four)
    assert [d.bill_number for d in run] == ["2611-100000", "2611-100001", "2611-100002", "2611-100003"]


def test_run_documents_are_in_mail_sort_order(frozen: Any, csr: User, bill_run: BillRun) -> None:
    people = [
        ("A", "92253", "120", "Main St"),
        ("B", "92236", "52", "Avenue 48"),
        ("C", "92236", "7", "Avenue 48"),
        ("D", "92236", "300", "Avenue 47"),
    ]
    for index, (name, zip_code, house, street) in enumerate(people):
        account = build_account(
            csr=csr,
            first_name=name,
            last_name="Lee",
            language="en",
            house=house,
            street=street,
            zip_code=zip_code,
            start_date=BILLED_SINCE,
        )
        make_november_bill(account, bill_run, number=f"2611-20000{index}")
    order = [d.customer_name for d in run_bill_documents(bill_run.pk)]
    assert order == ["D Lee", "C Lee", "B Lee", "A Lee"]  # 92236 Avenue 47; Avenue 48 by house number; 92253


def test_mail_sort_key_reads_house_numbers_and_po_boxes() -> None:
    assert mail_sort_key(mailing_zip="92236-1234", mailing_line1="52  avenue 48", account_number="1") == (
        "92236",
        "AVENUE 48",
        52,
        "",
        "1",
    )
    assert mail_sort_key(mailing_zip="92236", mailing_line1="52B Avenue 48", account_number="2")[2:4] == (
        52,
        "B",
    )
    assert mail_sort_key(mailing_zip="92236", mailing_line1="PO Box 12", account_number="3")[1:3] == (
        "PO BOX 12",
        0,
    )
    keys = [
        mail_sort_key(mailing_zip="92236", mailing_line1=line, account_number=n)
        for n, line in (("1", "100 Avenue 48"), ("2", "9 Avenue 48"), ("3", "9 Avenue 48"))
    ]
    assert sorted(keys) == [keys[1], keys[2], keys[0]]


def test_cancelled_and_rebill_documents_say_so(tom_bill: Bill) -> None:
    Bill.objects.filter(pk=tom_bill.pk).update(status=Bill.Status.CANCELLED, cancel_reason="read keyed wrong")
    rebill = make_november_bill(
        tom_bill.account, None, number="2612-000001", kind="rebill", replaces=tom_bill, total_due_cents=-500
    )
    cancelled, corrected = bill_documents([tom_bill.pk, rebill.pk])
    assert cancelled.cancelled and cancelled.cancel_reason == "read keyed wrong"
    assert corrected.replaces_number == "2611-000002"
    assert corrected.amount_due == Money.zero()
    assert corrected.scan_line[8:17] == "000000000"
    assert corrected.messages[:2] == (
        "This bill replaces bill 2611-000002, which was cancelled and corrected.",
        "Your account has a credit of $5.00. You do not need to pay this bill.",
    )
