"""The demo city's autopay hooks: about 15% enrolled with routing numbers that pass their check
digit, a month drafted, and the bank's reply (R01, R03, C01) imported through the same services."""

from __future__ import annotations

import random
from typing import Any

import pytest

from civicbill import nacha
from civicbill.autopay.demo import (
    DEMO_ROUTING_NUMBERS,
    demo_autopay_enroll,
    demo_autopay_month,
    demo_bank_details,
)
from civicbill.autopay.models import AchReturn, DraftFile, Enrollment
from civicbill.autopay.services.enrollment import bank_account_number
from civicbill.core.exceptions import ApplicationError
from civicbill.ledger.selectors import check_books
from tests.autopay.conftest import DEC_1, DEC_18, DEC_21

pytestmark = pytest.mark.django_db


def test_demo_bank_details_are_plausible() -> None:
    rng = random.Random(7)
    assert len(DEMO_ROUTING_NUMBERS) == 16
    districts = {f"{n:02d}" for n in (*range(1, 13), *range(21, 33))}
    assert all(nacha.is_valid_routing_number(r) and r[:2] in districts for r in DEMO_ROUTING_NUMBERS)
    for _ in range(200):
        routing, number, kind = demo_bank_details(rng)
        assert routing in DEMO_ROUTING_NUMBERS and 8 <= len(number) <= 12 and number.isdigit()
        assert kind in ("checking", "savings")


def test_about_fifteen_percent_enroll_and_a_month_drafts_and_comes_back(
    make_account: Any, november_bills: Any, at: Any, technician: Any
) -> None:
    accounts = [make_account(last_name=f"Demo{n}", usage_hcf=15) for n in range(24)]
    ids = [a.pk for a in accounts]
    enrolled = demo_autopay_enroll(rng=random.Random(3), account_ids=ids, as_of=at(DEC_1), actor=technician)
    assert len(enrolled) == 4  # 15% of 24, rounded
    assert Enrollment.objects.filter(status="prenote_pending").count() == 4
    assert DraftFile.objects.get().prenote_count == 4
    everyone = demo_autopay_enroll(
        rng=random.Random(4), account_ids=ids, as_of=at(DEC_1, 10), actor=technician, share=1.0
    )
    assert len(everyone) == 20  # the four already enrolled are left as they are
    november_bills()
    month = demo_autopay_month(due_date=DEC_21, as_of=at(DEC_18), actor=technician, rng=random.Random(5))
    assert (month.effective_date, month.debit_count, month.total_debit_cents) == (DEC_21, 24, 24 * 7811)
    assert month.returns == {"R01": 1, "R03": 1, "C01": 1}
    with pytest.raises(ApplicationError, match="already exists"):  # one file per date, in the demo too
        demo_autopay_month(due_date=DEC_21, as_of=at(DEC_18, 10), actor=technician, rng=random.Random(5))
    assert sorted(AchReturn.objects.values_list("outcome", flat=True)) == [
        "corrected", "reversed_ended", "reversed_kept",
    ]  # fmt: skip
    corrected = AchReturn.objects.get(code="C01").draft_entry
    assert corrected is not None
    enrollment = Enrollment.objects.get(pk=corrected.enrollment_id)
    assert bank_account_number(enrollment)[-4:] == enrollment.account_number_last4
    assert check_books().ok
