"""The demo payment history leaves the bills of autopay accounts to the ACH autopay demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.customers.models import Account
from civicbill.demo.billing import demo_billing_seed
from civicbill.demo.seed import conversion_user, demo_city_seed
from civicbill.ledger.selectors import check_books
from civicbill.payments.models import Payment

pytestmark = pytest.mark.django_db


def test_the_bills_of_autopay_accounts_are_not_paid_through_other_channels(frozen: Any) -> None:
    today = dt.date(2026, 12, 1)
    demo_city_seed(accounts=12, seed=2, as_of=today)
    autopay = set(Account.objects.order_by("pk").values_list("pk", flat=True)[:4])
    result = demo_billing_seed(
        actor=conversion_user(), as_of=today, seed=2, autopay_account_ids=autopay, autopay_share=0
    )
    assert not Payment.objects.filter(account_id__in=autopay).exists()
    paid = set(Payment.objects.filter(account__isnull=False).values_list("account_id", flat=True))
    assert paid and not paid & autopay
    assert result.payments == Payment.objects.filter(status="posted", receipt_code__isnull=True).count()
    assert check_books().ok
