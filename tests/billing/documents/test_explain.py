""" "Explain this bill": each line in words a clerk can read out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from civicbill.billing.explain import bill_explanation
from civicbill.billing.models import Bill, BillRun
from civicbill.core.exceptions import NotFoundError
from tests.fixtures.accounts import build_account
from tests.fixtures.billing import BILLED_SINCE, make_november_bill

pytestmark = pytest.mark.django_db


def test_the_coachella_bill_explained(tom_bill: Bill) -> None:
    explanation = bill_explanation("2611-000002")
    assert explanation.usage_text == (
        "Meter BDG-340017: 15 HCF used between 10/28 and 11/28 (actual reads 1,234 → 1,249), "
        "31 days of service (10/29–11/28)."
    )
    assert [line.text for line in explanation.lines] == [
        'Meter charge (3/4" meter): $13.80 a month (rate W-RES from 2017-07-01).',
        "15 HCF used between 10/28 and 11/28 (actual reads 1,234 → 1,249) at $1.50 for the first 41 HCF: "
        "$22.50 (rate W-RES from 2017-07-01).",
        "Sewer service: $41.81 a unit (rate S-RES from 2017-07-01).",
    ]
    assert explanation.totals_text == (
        "Previous balance $90.01, payments $90.01 CR, adjustments $0.00, this bill's charges $78.11: "
        "$78.11 due by December 21, 2026."
    )
    assert explanation.comparison_text == "Same month last year: 12 HCF; this bill: 15 HCF."
    assert explanation.as_dict()["lines"][1] == {
        "sequence": 2,
        "service": "water",
        "description": "Water usage, tier 1 (0–41 HCF)",
        "amount": "22.50",
        "text": explanation.lines[1].text,
        "tier": 1,
        "tier_from": "0",
        "tier_to": "41",
        "price": "1.50",
        "rate_version": "W-RES from 2017-07-01",
        "proration": None,
        "period_start": "2026-10-29",
        "period_end": "2026-11-28",
    }


def test_second_tier_proration_estimate_and_rate_change_are_named(
    frozen: Any, csr: User, bill_run: BillRun
) -> None:
    account = build_account(
        csr=csr,
        first_name="Ana",
        last_name="Ruiz",
        language="es",
        house="9",
        street="Avenue 50",
        zip_code="92236",
        start_date=BILLED_SINCE,
    )
    common = {"service": "water", "version_label": "W-RES from 2017-07-01"}
    lines = [
        {
            **common,
            "charge_key": "service_charge",
            "description": 'Meter charge (3/4" meter)',
            "quantity": Decimal(1),
            "unit": "month",
            "price": "13.80",
            "amount_cents": 460,
            "proration": "0.3333",
            "detail": {"proration": "10 days ÷ 30"},
        },
        {
            **common,
            "charge_key": "commodity_charge",
            "description": "Water usage, tier 1 (0–41 HCF)",
            "quantity": Decimal(41),
            "unit": "HCF",
            "tier": 1,
            "price": "1.50",
            "amount_cents": 6150,
            "detail": {"tier_from": "0", "tier_to": "41"},
        },
        {
            **common,
            "charge_key": "commodity_charge",
            "description": "Water usage, tier 2 (above 41 HCF)",
            "quantity": Decimal(27),
            "unit": "HCF",
            "tier": 2,
            "price": "1.65",
            "amount_cents": 4455,
            "detail": {"tier_from": "41", "tier_to": None},
            "line_period_start": dt.date(2026, 11, 15),
            "line_period_end": dt.date(2026, 11, 28),
        },
    ]
    make_november_bill(
        account,
        bill_run,
        number="2611-000050",
        lines=lines,
        current_read=Decimal("1302.000"),
        consumption_hcf=Decimal(68),
        estimated=True,
    )
    explanation = bill_explanation("2611-000050")  # in the clerk's language (English), not the customer's
    assert [line.text for line in explanation.lines] == [
        'Meter charge (3/4" meter): $13.80 a month, prorated for 10 days ÷ 30 (× 0.3333): $4.60 '
        "(rate W-RES from 2017-07-01).",
        "The first 41 HCF of the 68 HCF used between 10/28 and 11/28 (reads 1,234 → 1,302, the second one "
        "estimated) at $1.50: $61.50 (rate W-RES from 2017-07-01).",
        "27 HCF above 41 HCF at $1.65, for 11/15–11/28: $44.55 (rate W-RES from 2017-07-01).",
    ]
    with translation.override("es"):
        spanish = bill_explanation("2611-000050")
    assert (
        spanish.lines[2].text
        == "27 HCF por encima de 41 HCF a $1.65, del 15/11 al 28/11: $44.55 (tarifa W-RES from 2017-07-01)."
    )
    assert spanish.lines[2].description == "Consumo de agua, nivel 2 (más de 41 HCF)"


def test_an_unknown_bill_cannot_be_explained(db: Any) -> None:
    with pytest.raises(NotFoundError, match="No bill numbered 'X-1'"):
        bill_explanation("X-1")
