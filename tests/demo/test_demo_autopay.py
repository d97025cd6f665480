"""The demo city's autopay: about 15% of the accounts enrolled (prenotes sent) before the first month
of history, their bills drafted by ACH on each due date, and the bank's replies imported; their bills
are paid by nothing else while autopay lasts. A 60-account city, seed 1, built on 2026-12-01,
seeded once for the module inside a transaction rolled back at the end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum

from civicbill import nacha
from civicbill.autopay.models import DraftEntry, DraftFile, Enrollment
from civicbill.demo.billing import BillingSeedResult, demo_billing_seed
from civicbill.demo.seed import conversion_user, demo_city_seed
from civicbill.ledger.selectors import check_books
from civicbill.payments.models import Payment
from tests.fixtures.clock import FROZEN_AT

BUILT_ON = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def city(django_db_setup: Any, django_db_blocker: Any) -> Iterator[BillingSeedResult]:
    with django_db_blocker.unblock(), time_machine.travel(FROZEN_AT, tick=False), transaction.atomic():
        demo_city_seed(accounts=60, seed=1, as_of=BUILT_ON)
        yield demo_billing_seed(actor=conversion_user(), as_of=BUILT_ON, seed=1)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_one_account_in_seven_enrolls_before_the_history_and_its_prenote_goes_first(
    city: BillingSeedResult,
) -> None:
    assert city.autopay.enrolled == Enrollment.objects.count() == 9  # 15% of 60, rounded
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"active"}
    first = DraftFile.objects.order_by("effective_date").first()
    assert first is not None
    assert DraftEntry.objects.filter(draft_file=first, kind=DraftEntry.Kind.PRENOTE).count() == 9
    for enrollment in Enrollment.objects.all():
        routing = enrollment.routing_number
        assert routing[8] == str(nacha.routing_check_digit(routing[:8]))


def test_their_bills_are_drafted_on_each_due_date_and_paid_by_nothing_else(city: BillingSeedResult) -> None:
    autopay = city.autopay
    # issue 13: commercial sewer (S-COM) is capped at the account's own winter average from March on
    # (one enrolled account: 32.08 HCF, 246.51 HCF over the cap × $1.95 = $480.67 less than before)
    assert (autopay.draft_files, autopay.debits, autopay.debit_cents) == (12, 108, 1490826)
    assert city.payment_history.autopay == 108
    enrolled = set(Enrollment.objects.values_list("account_id", flat=True))
    drafted = Payment.objects.filter(channel="ach")
    assert set(drafted.values_list("account_id", flat=True)) == enrolled
    assert int(drafted.aggregate(cents=Sum("amount_cents"))["cents"]) == 1490826
    assert not Payment.objects.filter(account_id__in=enrolled).exclude(channel="ach").exists()
    assert DraftFile.objects.filter(status="created").count() == 13  # the prenotes' file and 12 months
    assert check_books().ok
