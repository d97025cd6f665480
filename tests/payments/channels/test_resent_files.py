"""A payment file sent again posts nothing (issue 11: 2): the same lockbox batch resent with CRLF
line endings or a trailing blank line, the same lockbox id and deposit date with other records, an
online processor's confirmation in a later file. And doubtful amounts (issue 11: 16): a payment far
above what the account owes goes to suspense whether it was matched by scan line or account number."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client

from civicbill.core.exceptions import ApplicationError
from civicbill.customers.models import Account
from civicbill.ledger.models import JournalEntry
from civicbill.payments import services
from civicbill.payments.models import Payment, PaymentImport, ProcessorConfirmation, SuspenseItem
from tests.fixtures.payments import IMPORT_AT, books_ok, csv_file, scan

pytestmark = pytest.mark.django_db
ONLINE_HEADER = "confirmation,account_number,amount,paid_on,method,payer_name"


def run(content: bytes, importer: Any, name: str, file_format: str = "lockbox-csv", **kw: Any) -> Any:
    return services.payment_file_import(
        content=content, file_name=name, file_format=file_format, as_of=IMPORT_AT, actor=importer, **kw
    )


def posted() -> tuple[int, int, int]:
    return Payment.objects.count(), SuspenseItem.objects.count(), JournalEntry.objects.count()


@pytest.fixture
def rosa(make_account: Any) -> Account:
    return make_account(last_name="Pena", house="100", owing={"water": "70.81"})


def batch(rosa: Account) -> bytes:
    return csv_file("H,LB0001,2026-12-01", f"D,,{rosa.number},50.00,1001,,Rosa Pena", "T,1,50.00")


@pytest.mark.parametrize(
    "resend",
    [
        lambda content: content.replace(b"\n", b"\r\n"),
        lambda content: content + b"\n",
        lambda content: content.replace(b"\n", b"\r") + b"\r\r",
        lambda content: b"\xef\xbb\xbf" + content.replace(b"Rosa Pena\n", b"Rosa Pena   \n"),
    ],
    ids=["crlf", "trailing-blank-line", "cr", "bom-and-trailing-blanks"],
)
def test_the_same_batch_resent_with_other_line_endings_or_blanks_is_refused(
    rosa: Account, importer: Any, resend: Any
) -> None:
    first = run(batch(rosa), importer, "lb-20261201.csv").payment_import
    before = posted()

    with pytest.raises(ApplicationError) as refused:
        run(resend(batch(rosa)), importer, "lb-20261201-resent.csv")

    assert refused.value.code == "duplicate_file"
    assert refused.value.message == (
        f"This file holds the same records as lb-20261201.csv (import {first.pk}), imported on 2026-12-01 "
        "10:00 by ivan (only line endings or blank space differ): it was sent again; nothing was posted"
    )
    assert posted() == before and PaymentImport.objects.count() == 1
    books_ok()


def test_the_same_lockbox_id_and_date_with_other_records_is_refused_unless_staff_say_it_is_new(
    rosa: Account, importer: Any
) -> None:
    first = run(batch(rosa), importer, "lb-20261201.csv").payment_import
    second_batch = csv_file("H,LB0001,2026-12-01", f"D,,{rosa.number},20.81,1002,,Rosa Pena", "T,1,20.81")
    before = posted()

    with pytest.raises(ApplicationError) as refused:
        run(second_batch, importer, "lb-20261201-2.csv")

    assert refused.value.code == "duplicate_batch"
    assert refused.value.message == (
        f"Lockbox batch LB0001 of 2026-12-01 was already imported as lb-20261201.csv (import {first.pk}) on "
        "2026-12-01 10:00 by ivan: this looks like the same batch sent again; nothing was posted. If the "
        "bank sent a second, different batch under the same lockbox id that day, import it as a new batch"
    )
    assert posted() == before

    record = run(second_batch, importer, "lb-20261201-2.csv", new_batch=True).payment_import

    assert (record.posted_count, record.posted_cents) == (1, 2081)
    with pytest.raises(ApplicationError) as again:  # a new batch is still refused when resent
        run(second_batch.replace(b"\n", b"\r\n"), importer, "x.csv", new_batch=True)
    assert again.value.code == "duplicate_file"
    books_ok()


def test_the_fixed_width_header_identifies_the_batch_too(rosa: Account, importer: Any) -> None:
    from tests.fixtures.payments import fixed_detail

    def fixed(cents: int) -> bytes:
        detail = fixed_detail(account=rosa.number, cents=cents)
        return csv_file("HLB0001    20261201", detail, f"T000001{cents:012d}")

    run(fixed(5000), importer, "a.txt", file_format="lockbox-fixed")
    with pytest.raises(ApplicationError) as refused:
        run(fixed(4000), importer, "b.txt", file_format="lockbox-fixed")
    assert refused.value.code == "duplicate_batch"


def test_a_processor_confirmation_posts_once_however_many_files_carry_it(
    rosa: Account, make_account: Any, importer: Any
) -> None:
    kim = make_account(last_name="Kim", house="102", owing={"water": "30.00"})
    first = run(
        csv_file(ONLINE_HEADER, f"W-1001,{rosa.number},50.00,2026-12-01,card,Rosa", "TRAILER,1,50.00"),
        importer,
        "web-1201.csv",
        file_format="online-csv",
    ).payment_import
    before = posted()
    results = []
    for n in range(2, 5):  # the processor's confirmation came in 3 more files, with a new payment each
        results.append(
            run(
                csv_file(
                    ONLINE_HEADER,
                    f"W-100{n},{kim.number},1.0{n},2026-12-02,card,Kim",
                    f"W-1001,{rosa.number},50.00,2026-12-01,card,Rosa",
                    "TRAILER,2,51.0" + str(n),
                ),
                importer,
                f"web-120{n}.csv",
                file_format="online-csv",
            ).payment_import
        )

    for record in results:
        assert (record.posted_count, record.posted_cents, record.suspense_count) == (
            1,
            100 + int(record.file_name[7]),
            0,
        )
        assert record.errors == [
            {
                "line": 3,
                "reason": "confirmation W-1001 from online was already posted on 2026-12-01 (file "
                f"web-1201.csv, import {first.pk}, line 2); not posted again",
            }
        ]
    assert Payment.objects.filter(account=rosa).count() == 1
    assert posted()[0] == before[0] + 3
    books_ok()


def test_a_confirmation_held_in_suspense_is_posted_once_too_and_another_processor_may_reuse_the_number(
    importer: Any, rosa: Account
) -> None:
    unknown = csv_file(ONLINE_HEADER, "W-7,9999999-9,12.00,2026-12-01,ivr,Nobody", "TRAILER,1,12.00")
    assert run(unknown, importer, "ivr-1.csv", file_format="online-csv").payment_import.suspense_count == 1
    again = csv_file(
        ONLINE_HEADER,
        "W-7,9999999-9,12.00,2026-12-01,ivr,Nobody",
        "W-8,9999999-9,1.00,2026-12-01,ivr,X",
        "TRAILER,2,13.00",
    )
    record = run(again, importer, "ivr-2.csv", file_format="online-csv").payment_import
    assert (record.suspense_count, record.suspense_cents, record.error_count) == (1, 100, 1)

    theirs = csv_file(ONLINE_HEADER, "W-7,9999999-9,12.00,2026-12-02,ivr,Someone", "TRAILER,1,12.00")
    other = run(theirs, importer, "other.csv", file_format="online-csv", processor="Paymentus IVR")

    assert other.payment_import.processor == "Paymentus IVR"
    assert other.payment_import.suspense_count == 1
    assert sorted(ProcessorConfirmation.objects.values_list("processor", "confirmation")) == [
        ("Paymentus IVR", "W-7"),
        ("online", "W-7"),
        ("online", "W-8"),
    ]


def test_the_same_confirmation_twice_in_one_file_posts_once(rosa: Account, importer: Any) -> None:
    record = run(
        csv_file(
            ONLINE_HEADER,
            f"W-1,{rosa.number},10.00,2026-12-01,card,Rosa",
            f"W-1,{rosa.number},10.00,2026-12-01,card,Rosa",
            "TRAILER,2,20.00",
        ),
        importer,
        "web.csv",
        file_format="online-csv",
    ).payment_import
    assert (record.posted_count, record.errors) == (
        1,
        [{"line": 3, "reason": "confirmation 'W-1' is also on line 2 of this file"}],
    )


def test_the_database_refuses_a_second_posting_of_a_confirmation(rosa: Account, importer: Any) -> None:
    record = run(
        csv_file(ONLINE_HEADER, f"W-1,{rosa.number},10.00,2026-12-01,card,Rosa", "TRAILER,1,10.00"),
        importer,
        "web.csv",
        file_format="online-csv",
    ).payment_import
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessorConfirmation.objects.create(
            processor="online",
            confirmation="W-1",
            payment_import=record,
            line_number=9,
            posted_on=record.deposit_date,
        )


def test_the_api_and_the_page_report_a_resent_file(client: Client, technician: Any, rosa: Account) -> None:
    client.force_login(technician)

    def post(content: bytes, **extra: str) -> Any:
        return client.post(
            "/api/payment-files",
            {
                "format": "lockbox-csv",
                "file": SimpleUploadedFile("lb.csv", content, content_type="text/csv"),
                **extra,
            },
        )

    assert post(batch(rosa)).status_code == 201
    resent = post(batch(rosa).replace(b"\n", b"\r\n"))
    assert (resent.status_code, resent.json()["code"], resent.json()["field"]) == (
        400,
        "duplicate_file",
        "file",
    )
    other = csv_file("H,LB0001,2026-12-01", f"D,,{rosa.number},1.00,1002,,Rosa Pena", "T,1,1.00")
    assert post(other).json()["code"] == "duplicate_batch"
    assert post(other, new_batch="true").status_code == 201

    page = client.post(
        "/payments/files/",
        {
            "file_format": "lockbox-csv",
            "file": SimpleUploadedFile("again.csv", batch(rosa) + b"\n", content_type="text/csv"),
        },
    )
    assert page.status_code == 422
    assert "This file holds the same records as lb.csv" in page.content.decode()
    assert Payment.objects.count() == 2


# -- doubtful amounts (issue 11: 16) ------------------------------------------------------------------
def test_50000_on_a_70_81_balance_matched_by_account_number_goes_to_suspense(
    rosa: Account, importer: Any
) -> None:
    record = run(
        csv_file(
            "H,LB0001,2026-12-01",
            f"D,,{rosa.number},50000.00,1001,,Rosa",
            f"D,,{rosa.number},999.00,1002,,Rosa",
            "T,2,50999.00",
        ),
        importer,
        "lb.csv",
    ).payment_import

    assert (record.posted_count, record.posted_cents) == (1, 99900)  # 999.00 is not $1,000 above 70.81
    item = SuspenseItem.objects.get()
    assert (item.line_number, item.amount_cents, item.reason, item.detail) == (
        2,
        5000000,
        "amount_doubtful",
        "paid $50,000.00 on a balance of $70.81",
    )
    books_ok()


def test_online_payments_get_the_same_check_and_a_credit_counts_as_nothing_owed(
    make_account: Any, importer: Any
) -> None:
    paid_up = make_account(last_name="Diaz", house="106", owing={"water": "10.00"})
    run(
        csv_file("H,LB0009,2026-12-01", f"D,,{paid_up.number},20.00,1,,Diaz", "T,1,20.00"), importer, "lb.csv"
    )
    record = run(
        csv_file(
            ONLINE_HEADER,
            f"W-1,{paid_up.number},1000.01,2026-12-01,card,Diaz",
            f"W-2,{paid_up.number},1000.00,2026-12-01,card,Diaz",
            "TRAILER,2,2000.01",
        ),
        importer,
        "web.csv",
        file_format="online-csv",
    ).payment_import

    assert (record.posted_count, record.posted_cents) == (1, 100000)
    assert SuspenseItem.objects.get().detail == "paid $1,000.01 on a balance of $10.00 CR"


def test_a_scan_line_payment_is_doubtful_only_when_far_above_both_the_amount_due_and_the_balance(
    make_account: Any, importer: Any
) -> None:
    owes_more = make_account(
        last_name="Lopez", house="100", owing={"water": "2000.00"}
    )  # an old stub says 5.00 due
    stub_only = make_account(last_name="Kim", house="102", owing={"water": "5.00"})
    record = run(
        csv_file(
            "H,LB0001,2026-12-01",
            f"D,{scan(owes_more, '5.00')},,2000.00,1001,,Lopez",
            f"D,{scan(stub_only, '5.00')},,2000.00,1002,,Kim",
            "T,2,4000.00",
        ),
        importer,
        "lb.csv",
    ).payment_import

    assert (record.posted_count, record.posted_cents) == (1, 200000)
    assert SuspenseItem.objects.get().detail == "paid $2,000.00 on $5.00 due (balance $5.00)"


def test_the_migration_records_the_confirmations_posted_before_it_once_each(
    rosa: Account, importer: Any
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "civicbill.payments.migrations.0005_resent_files_and_processor_confirmations"
    )
    first = run(
        csv_file(ONLINE_HEADER, f"W-1,{rosa.number},10.00,2026-12-01,card,Rosa", "TRAILER,1,10.00"),
        importer,
        "a.csv",
        file_format="online-csv",
    ).payment_import
    # before this release the same confirmation posted again, and an unknown account went to suspense
    resent = run(
        csv_file(
            ONLINE_HEADER,
            f"W-1,{rosa.number},10.00,2026-12-01,card,Rosa",
            "W-2,9999999-9,3.00,2026-12-02,ivr,Nobody",
            "TRAILER,2,13.00",
        ),
        importer,
        "b.csv",
        file_format="online-csv",
        processor="then unnamed",
    ).payment_import
    ProcessorConfirmation.objects.all().delete()
    PaymentImport.objects.update(processor="")

    migration.record_posted_confirmations(apps, None)

    assert set(PaymentImport.objects.values_list("processor", flat=True)) == {"online"}
    assert list(
        ProcessorConfirmation.objects.order_by("confirmation").values_list(
            "processor", "confirmation", "payment_import_id", "line_number", "posted_on"
        )
    ) == [
        ("online", "W-1", first.pk, 2, first.deposit_date),
        ("online", "W-2", resent.pk, 3, resent.deposit_date),
    ]


def test_a_processor_name_is_at_most_40_characters_of_text(rosa: Account, importer: Any) -> None:
    content = csv_file(ONLINE_HEADER, f"W-1,{rosa.number},10.00,2026-12-01,card,Rosa", "TRAILER,1,10.00")
    for name in ("P" * 41, "Pay\x00us"):
        with pytest.raises(ApplicationError) as refused:
            run(content, importer, "web.csv", file_format="online-csv", processor=name)
        assert (refused.value.field, refused.value.message) == (
            "processor",
            "The processor's name must be text of at most 40 characters",
        )
    assert not PaymentImport.objects.exists()
    assert (
        run(
            content, importer, "web.csv", file_format="online-csv", processor="  Pay   Us "
        ).payment_import.processor
        == "Pay Us"
    )
