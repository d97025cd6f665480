"""Issue 13: a partial agreement prorates by its days of the cycle; whole cycles are billed whole.

The ±2-day allowance for long and short months is for whole cycles only: an agreement in effect 29
days of a 31-day cycle pays 29/31 of the fixed charges and tier widths, never a full month. Quotes
use the same rule (``cycle_days``) and name the factor they used ("17/31").
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from civicbill.rates.engine import rate_period
from civicbill.rates.engine.proration import period_factor, proration_fraction
from civicbill.rates.quotes import rate_quote
from civicbill.rates.services import load_demo_schedules_trusted
from civicbill.rates.types import Determinants, RatingPlan
from tests.rates.helpers import amounts, demo_plan

W_RES = demo_plan("W-RES")
S_RES = demo_plan("S-RES")
CYCLE_END = dt.date(2026, 11, 28)  # cycle 1's November period: 2026-10-29 .. 2026-11-28, 31 days


def _rate(plan: RatingPlan, usage: int, start: dt.date, end: dt.date, cycle_days: int | None) -> object:
    return rate_period(
        plan=plan,
        determinants=Determinants(
            usage_hcf=Decimal(usage), customer_class="RESIDENTIAL_SINGLE", meter_size="3/4"
        ),
        period_start=start,
        period_end=end,
        cycle_days=cycle_days,
    )


def test_the_factor_of_a_partial_period_has_no_allowance() -> None:
    assert period_factor(29, 31) == 1  # a whole cycle of 29 days against 31: a month
    assert period_factor(29, 31, partial=True) == Decimal(29) / Decimal(31)
    assert proration_fraction(29, 31, partial=True) == (29, 31)
    assert proration_fraction(29, 31) is None
    assert proration_fraction(31, 31, partial=True) is None


def test_an_agreement_starting_two_days_into_a_31_day_cycle_pays_29_31() -> None:
    """Service 2026-10-31 .. 2026-11-28: 29 of the cycle's 31 days.

    Meter $13.80 × 29/31 = $12.909… → $12.91. Tier 1 ends at 41 × 29/31 = 38.3548 HCF; 45 HCF:
    38.3548 × $1.50 = $57.5322 → $57.53, 6.6452 × $1.65 = $10.96458 → $10.96. Sewer $41.81 × 29/31
    = $39.112… → $39.11.
    """
    water = _rate(W_RES, 45, dt.date(2026, 10, 31), CYCLE_END, cycle_days=31)
    assert amounts(water) == [  # type: ignore[arg-type]
        ('Meter charge (3/4" meter)', "12.91"),
        ("Water usage, tier 1 (0–38.3548 HCF)", "57.53"),
        ("Water usage, tier 2 (above 38.3548 HCF)", "10.96"),
    ]
    assert {line.proration for line in water.lines} == {Decimal(29) / Decimal(31)}  # type: ignore[attr-defined]
    assert {line.detail["proration"] for line in water.lines} == {"29/31"}  # type: ignore[attr-defined]
    sewer = _rate(S_RES, 45, dt.date(2026, 10, 31), CYCLE_END, cycle_days=31)
    assert sewer.total == Decimal("39.11")  # type: ignore[attr-defined]


@pytest.mark.parametrize("days", [29, 30, 31, 32, 33])
def test_a_whole_cycle_of_29_to_33_days_pays_a_full_month(days: int) -> None:
    start = CYCLE_END - dt.timedelta(days=days - 1)
    result = _rate(W_RES, 45, start, CYCLE_END, cycle_days=days)
    assert amounts(result) == [  # type: ignore[arg-type]
        ('Meter charge (3/4" meter)', "13.80"),
        ("Water usage, tier 1 (0–41 HCF)", "61.50"),
        ("Water usage, tier 2 (above 41 HCF)", "6.60"),
    ]
    assert all(line.proration is None for line in result.lines)  # type: ignore[attr-defined]


def test_a_rate_change_inside_a_partial_period_names_each_part_of_the_cycle() -> None:
    """Service from 11-02 (27 of 31 days), a new version from 11-15: 13/31 then 14/31 of a month."""
    from tests.rates.helpers import COACHELLA, plan_from_texts
    from tests.rates.test_engine import RAISE_2026

    plan = plan_from_texts((COACHELLA / "W-RES.yaml").read_text(), RAISE_2026)
    result = _rate(plan, 0, dt.date(2026, 11, 2), CYCLE_END, cycle_days=31)
    meters = [line for line in result.lines if line.charge_key == "service_charge"]  # type: ignore[attr-defined]
    assert [line.detail["proration"] for line in meters] == ["13/31", "14/31"]
    assert [line.proration for line in meters] == [Decimal(13) / Decimal(31), Decimal(14) / Decimal(31)]


@pytest.mark.django_db
def test_a_quote_of_17_days_of_a_31_day_cycle_says_17_31(supervisor: object) -> None:
    """$13.80 × 17/31 = $7.567… → $7.57; tier 1 to 41 × 17/31 = 22.4839 HCF: 15 × $1.50 = $22.50."""
    load_demo_schedules_trusted(actor=supervisor, as_of=dt.date(2026, 12, 1))
    quote = rate_quote(
        schedule_code="W-RES", customer_class="RESIDENTIAL_SINGLE", usage_hcf=Decimal(15),
        as_of=CYCLE_END, days=17, cycle_days=31, meter_size="3/4",
    )  # fmt: skip
    assert [(line.description, line.amount_cents) for line in quote.lines] == [
        ('Meter charge (3/4" meter)', 757),
        ("Water usage, tier 1 (0–22.4839 HCF)", 2250),
    ]
    assert quote.proration == "17/31"
    assert quote.as_json()["proration"] == "17/31"
    assert quote.as_json()["cycle_days"] == 31
    out = io.StringIO()
    call_command(
        "rates", "quote", "--schedule", "W-RES", "--class", "RESIDENTIAL_SINGLE", "--usage", "15",
        "--var", "meter_size=3/4", "--date", "2026-11-28", "--days", "17", "--cycle-days", "31",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Prorated 17/31: 17 days of a 31-day cycle" in text
    assert "÷" not in text
    assert "  7.57" in text and "Total" in text
    # without --cycle-days, 29 days is a whole (short) month: no proration
    whole = rate_quote(
        schedule_code="W-RES", customer_class="RESIDENTIAL_SINGLE", usage_hcf=Decimal(15),
        as_of=CYCLE_END, days=29, meter_size="3/4",
    )  # fmt: skip
    assert (whole.total, whole.proration) == (Decimal("36.30"), None)
    partial = rate_quote(
        schedule_code="W-RES", customer_class="RESIDENTIAL_SINGLE", usage_hcf=Decimal(15),
        as_of=CYCLE_END, days=29, cycle_days=31, meter_size="3/4",
    )  # fmt: skip
    assert (partial.total, partial.proration) == (Decimal("35.41"), "29/31")  # 12.91 + 22.50
