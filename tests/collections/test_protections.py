"""What protects an account on a day: honoured arrangements, pending appeals, moratoriums in scope,
certifications valid that day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicbill.collections.models import Appeal, Arrangement, Certification, Moratorium
from civicbill.collections.protections import protections_on

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)


def test_a_moratorium_covers_only_its_scope_and_dates(make_account: Any, supervisor: Any) -> None:
    indio = make_account(zip_code="92201")
    coachella = make_account(zip_code="92236")
    Moratorium.objects.create(starts_on=dt.date(2026, 8, 10), ends_on=dt.date(2026, 8, 20), scope="zip",
                              scope_value="92236", reason="Heat emergency", declared_by=supervisor,
                              declared_at=AT, lifted_on=dt.date(2026, 8, 15))  # fmt: skip
    on = protections_on([indio.pk, coachella.pk], dt.date(2026, 8, 12))
    assert on[indio.pk].moratorium is None
    assert on[coachella.pk].moratorium is not None
    assert on[coachella.pk].moratorium.ends_on == dt.date(2026, 8, 15)
    assert protections_on([coachella.pk], dt.date(2026, 8, 16))[coachella.pk].moratorium is None


def test_programs_protect_while_they_are_in_force(make_account: Any, csr: Any) -> None:
    account = make_account()
    Arrangement.objects.create(account=account, kind="amortization", delinquent_cents=30000,
                               agreed_on=dt.date(2026, 9, 1), created_by=csr, created_at=AT)  # fmt: skip
    Appeal.objects.create(account=account, opened_on=dt.date(2026, 9, 5), reason="meter misread",
                          opened_by=csr, opened_at=AT)  # fmt: skip
    Certification.objects.create(account=account, kind="low_income", program="calfresh",
                                 starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 12, 31),
                                 recorded_by=csr, recorded_at=AT)  # fmt: skip
    before = protections_on([account.pk], dt.date(2026, 8, 31))[account.pk]
    assert (before.in_arrangement, before.appeal_pending, before.low_income, before.medical) == (
        False, False, True, False,
    )  # fmt: skip
    during = protections_on([account.pk], dt.date(2026, 9, 10))[account.pk]
    assert (during.in_arrangement, during.appeal_pending, during.low_income) == (True, True, True)
    after = protections_on([account.pk], dt.date(2027, 1, 1))[account.pk]
    assert after.low_income is False
