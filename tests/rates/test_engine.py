"""The pure rating engine, with exact amounts worked out by hand in each docstring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from civicbill.rates.engine import rate_period
from civicbill.rates.engine.proration import period_factor, split_usage
from civicbill.rates.engine.tiers import usage_in_tiers
from civicbill.rates.types import Determinants
from tests.rates.helpers import NOV_END, NOV_START, amounts, demo_plan, plan_from_texts, rate

W_RES = demo_plan("W-RES")


def test_coachella_three_quarter_inch_at_15_hcf_is_36_30_water():
    """$13.80 meter charge + 15 HCF × $1.50 = $22.50 → $36.30."""
    result = rate(W_RES, 15)
    assert result.errors == ()
    assert result.total == Decimal("36.30")
    assert amounts(result) == [
        ('Meter charge (3/4" meter)', "13.80"),
        ("Water usage, tier 1 (0–41 HCF)", "22.50"),
    ]
    meter, usage = result.lines
    assert (meter.service, meter.charge_key, meter.price, meter.proration) == (
        "water",
        "service_charge",
        Decimal("13.80"),
        None,
    )
    assert (usage.tier, usage.quantity, usage.unit, usage.price) == (1, Decimal(15), "HCF", Decimal("1.50"))
    assert (usage.version_id, usage.version_label) == (1, "W-RES from 2017-07-01")
    assert (usage.period_start, usage.period_end) == (NOV_START, NOV_END)
    assert usage.detail == {"tier_from": "0", "tier_to": "41"}


def test_coachella_with_one_unit_of_sewer_is_78_11():
    """$36.30 water + $41.81 sewer per living unit = $78.11."""
    water = rate(W_RES, 15)
    sewer = rate(demo_plan("S-RES"), 15, meter_size=None)
    assert sewer.total == Decimal("41.81")
    assert water.total + sewer.total == Decimal("78.11")


def test_sewer_is_per_living_unit():
    """S-MF: 4 units × $41.81 = $167.24."""
    result = rate(
        demo_plan("S-MF"), 60, customer_class="RESIDENTIAL_MULTI", meter_size=None, dwelling_units=4
    )
    assert result.total == Decimal("167.24")
    assert (result.lines[0].quantity, result.lines[0].unit) == (Decimal(4), "unit")


def test_tier_boundary_41_hcf_is_all_tier_one():
    """The bound is inclusive: 41 × $1.50 = $61.50, + $13.80 = $75.30."""
    result = rate(W_RES, 41)
    assert amounts(result) == [
        ('Meter charge (3/4" meter)', "13.80"),
        ("Water usage, tier 1 (0–41 HCF)", "61.50"),
    ]
    assert result.total == Decimal("75.30")


def test_tier_boundary_42_hcf_puts_one_hcf_in_tier_two():
    """41 × $1.50 = $61.50 and 1 × $1.65 = $1.65, + $13.80 = $76.95."""
    result = rate(W_RES, 42)
    assert amounts(result) == [
        ('Meter charge (3/4" meter)', "13.80"),
        ("Water usage, tier 1 (0–41 HCF)", "61.50"),
        ("Water usage, tier 2 (above 41 HCF)", "1.65"),
    ]
    assert result.total == Decimal("76.95")


def test_meter_charge_by_size():
    """1½" meter $24.84 + 10 HCF × $1.50 = $15.00 → $39.84; 8" meter $400.24 + $15.00 = $415.24."""
    assert rate(W_RES, 10, meter_size="1-1/2").total == Decimal("39.84")
    assert rate(W_RES, 10, meter_size="8").total == Decimal("415.24")


def test_zero_usage_bills_the_meter_charge_and_an_empty_tier_one():
    result = rate(W_RES, 0)
    assert amounts(result) == [
        ('Meter charge (3/4" meter)', "13.80"),
        ("Water usage, tier 1 (0–41 HCF)", "0.00"),
    ]


def test_ten_day_move_in_prorates_the_meter_charge_and_the_tier_width():
    """10 days of a 30-day standard period: factor 1/3.

    Meter $13.80 × 1/3 = $4.60. Tier 1 ends at 41 × 1/3 = 13.6667 HCF:
    13.6667 × $1.50 = $20.50005 → $20.50; the other 1.3333 HCF × $1.65 = $2.199945 → $2.20.
    Total $27.30.
    """
    result = rate(W_RES, 15, start=dt.date(2026, 11, 19), end=dt.date(2026, 11, 28))
    assert amounts(result) == [
        ('Meter charge (3/4" meter)', "4.60"),
        ("Water usage, tier 1 (0–13.6667 HCF)", "20.50"),
        ("Water usage, tier 2 (above 13.6667 HCF)", "2.20"),
    ]
    assert [line.quantity for line in result.lines] == [Decimal(1), Decimal("13.6667"), Decimal("1.3333")]
    assert {line.proration for line in result.lines} == {Decimal(10) / Decimal(30)}
    assert result.lines[0].detail["proration"] == "10/30"  # the factor as days of a month (issue 13)
    assert result.total == Decimal("27.30")


def test_ten_day_move_in_prorates_sewer():
    """$41.81 × 10/30 = $13.936… → $13.94."""
    result = rate(
        demo_plan("S-RES"), 3, meter_size=None, start=dt.date(2026, 11, 19), end=dt.date(2026, 11, 28)
    )
    assert result.total == Decimal("13.94")


def test_monthly_periods_of_28_to_32_days_are_not_prorated_but_33_days_are():
    """Tolerance ±2 days around 30. 33 days: $13.80 × 33/30 = $15.18."""
    assert period_factor(28, 30) == 1
    assert period_factor(32, 30) == 1
    assert rate(W_RES, 0, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28)).lines[0].amount == Decimal(
        "13.80"
    )
    long = rate(W_RES, 0, start=dt.date(2026, 10, 27), end=dt.date(2026, 11, 28))
    assert long.lines[0].amount == Decimal("15.18")


RAISE_2026 = """
schedule: W-RES
service: water
name: Residential water
effective_from: 2026-11-15
classes:
  RESIDENTIAL_SINGLE:
    charges:
      - key: service_charge
        type: fixed
        description: Meter charge
        by: meter_size
        prices: {"3/4": 15.00}
      - key: commodity_charge
        type: tiered
        description: Water usage
        tiers:
          - {up_to: 41, price: 1.60}
          - {price: 1.75}
"""


def test_a_rate_change_inside_the_period_splits_it_by_days():
    """31-day period 10-29..11-28 (standard, factor 1); new rates from 11-15.

    Old rates 10-29..11-14 (17 days), new 11-15..11-28 (14 days). Usage 31 HCF splits 17 / 14.
    Old: meter $13.80 × 17/31 = $7.5677 → $7.57; tier 1 bound 41 × 17/31 = 22.4839, 17 HCF × $1.50 = $25.50.
    New: meter $15.00 × 14/31 = $6.7742 → $6.77; tier 1 bound 41 × 14/31 = 18.5161, 14 HCF × $1.60 = $22.40.
    Total $62.24.
    """
    plan = plan_from_texts(_coachella_text("W-RES"), RAISE_2026)
    result = rate(plan, 31)
    assert result.errors == ()
    assert amounts(result) == [
        ('Meter charge (3/4" meter)', "7.57"),
        ("Water usage, tier 1 (0–22.4839 HCF)", "25.50"),
        ('Meter charge (3/4" meter)', "6.77"),
        ("Water usage, tier 1 (0–18.5161 HCF)", "22.40"),
    ]
    first, _, second, _ = result.lines
    assert (first.period_start, first.period_end, first.version_id) == (NOV_START, dt.date(2026, 11, 14), 1)
    assert (second.period_start, second.period_end, second.version_id) == (dt.date(2026, 11, 15), NOV_END, 2)
    assert second.version_label == "W-RES from 2026-11-15"
    assert result.total == Decimal("62.24")


def _coachella_text(code: str) -> str:
    from tests.rates.helpers import COACHELLA

    return (COACHELLA / f"{code}.yaml").read_text()


BUDGET = """
schedule: W-BUDGET
service: water
name: Budget-based residential water
effective_from: 2017-07-01
classes:
  RESIDENTIAL_SINGLE:
    charges:
      - key: commodity_charge
        type: budget
        description: Water usage
        gallons_per_person_per_day: 60
        outdoor_factors: [0.7, 0.62]
        gallons_per_unit: 748
        tiers:
          - {up_to: indoor, price: 1.05}
          - {up_to: 100%, price: 1.58}
          - {up_to: 150%, price: 2.11}
          - {price: 3.16}
"""


def test_budget_tiers_from_household_size_and_et():
    """30-day period, 4 people, ET 4.8, 1,300 sq ft irrigated.

    Indoor 4 × 60 gal × 30 days ÷ 748 = 9.626 → 10 HCF; outdoor 4.8 × 1300 × 0.7 × 0.62 ÷ 748 = 3.621 → 4 HCF.
    Budget 14: tier 1 to 10 (indoor), tier 2 to 14 (100%), tier 3 to 21 (150%), tier 4 the rest.
    25 HCF: 10 × $1.05 = $10.50, 4 × $1.58 = $6.32, 7 × $2.11 = $14.77, 4 × $3.16 = $12.64 → $44.23.
    """
    result = rate(
        plan_from_texts(BUDGET),
        25,
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
        hhsize="4",
        et_amount="4.8",
        irrigable_area="1300",
    )
    assert result.errors == ()
    assert [(line.tier, line.quantity, str(line.amount)) for line in result.lines] == [
        (1, Decimal(10), "10.50"),
        (2, Decimal(4), "6.32"),
        (3, Decimal(7), "14.77"),
        (4, Decimal(4), "12.64"),
    ]
    assert result.lines[0].detail["budget"] == "14"
    assert result.total == Decimal("44.23")


def test_budget_charge_without_household_size_is_an_error_value():
    result = rate(plan_from_texts(BUDGET), 25, et_amount="4.8", irrigable_area="1300")
    assert result.lines == ()
    assert result.errors == (
        "W-BUDGET: the budget-based charge commodity_charge needs the determinant 'hhsize'",
    )


EXTRAS = """
schedule: W-EXTRA
service: water
name: Minimum and surcharge
effective_from: 2017-07-01
classes:
  COMMERCIAL:
    charges:
      - {key: service_charge, type: fixed, amount: 5.00, description: Account charge}
      - {key: commodity_charge, type: volumetric, price: 2.00, description: Water usage}
      - {key: minimum_charge, type: minimum, amount: 20.00, description: Minimum charge}
      - key: drought_surcharge
        type: percent
        rate: 5
        of: [commodity_charge]
        description: Drought surcharge
"""


def test_minimum_charge_tops_the_bill_up():
    """$5.00 + 3 HCF × $2.00 = $11.00 < $20.00 → a $9.00 line; 5% of $6.00 usage = $0.30. Total $20.30."""
    result = rate(plan_from_texts(EXTRAS), 3, customer_class="COMMERCIAL")
    assert amounts(result) == [
        ("Account charge", "5.00"),
        ("Water usage", "6.00"),
        ("Minimum charge (to the $20.00 minimum)", "9.00"),
        ("Drought surcharge (5% of $6.00)", "0.30"),
    ]
    assert result.total == Decimal("20.30")


def test_minimum_charge_adds_nothing_above_the_minimum():
    """$5.00 + 10 × $2.00 = $25.00 ≥ $20.00; surcharge 5% × $20.00 = $1.00 → $26.00."""
    result = rate(plan_from_texts(EXTRAS), 10, customer_class="COMMERCIAL")
    assert [line.charge_key for line in result.lines] == [
        "service_charge",
        "commodity_charge",
        "drought_surcharge",
    ]
    assert result.total == Decimal("26.00")


SURCHARGE = (
    _coachella_text("W-RES")
    + """
      - key: utility_users_tax
        type: percent
        description: Utility users tax
        rate: 5
"""
)


def test_percentage_surcharge_rounds_half_up():
    """5% of ($13.80 + $22.50 = $36.30) = $1.815 → $1.82 (half up). Total $38.12."""
    result = rate(plan_from_texts(SURCHARGE), 15)
    assert amounts(result)[-1] == ("Utility users tax (5% of $36.30)", "1.82")
    assert result.lines[-1].detail == {"base": "36.30", "of": "all charges above"}
    assert result.total == Decimal("38.12")


def test_commercial_sewer_volume_is_capped_at_the_winter_average():
    """S-COM: $41.81 + min(30, 12) HCF × $1.95 = $23.40 → $65.21.

    Without a winter average: 30 × $1.95 = $58.50 → $100.31; under the cap, 8 × $1.95 = $15.60 → $57.41.
    """
    plan = demo_plan("S-COM")
    capped = rate(plan, 30, customer_class="COMMERCIAL", winter_average_ccf="12")
    assert amounts(capped) == [("Sewer service", "41.81"), ("Sewer volume (on water use)", "23.40")]
    assert capped.lines[1].detail == {"usage": "30", "cap": "12", "cap_from": "winter_average_ccf"}
    assert capped.total == Decimal("65.21")
    assert rate(plan, 30, customer_class="COMMERCIAL").total == Decimal("100.31")
    assert rate(plan, 8, customer_class="COMMERCIAL", winter_average_ccf="12").total == Decimal("57.41")


def test_refuse_per_container_and_fire_line_by_size():
    """Two 96-gallon carts: 2 × $28.50 = $57.00; a 4" fire line $41.60."""
    assert rate(demo_plan("R-96GAL"), 0, meter_size=None, containers="2").total == Decimal("57.00")
    assert rate(demo_plan("R-96GAL"), 0, meter_size=None).total == Decimal("28.50")
    assert rate(demo_plan("R-BIN-3YD"), 0, customer_class="COMMERCIAL", meter_size=None).total == Decimal(
        "145.00"
    )
    assert rate(demo_plan("F-LINE"), 0, customer_class="COMMERCIAL", meter_size="4").total == Decimal("41.60")


def test_a_single_class_schedule_rates_every_class():
    assert rate(W_RES, 15, customer_class="COMMERCIAL").total == Decimal("36.30")


def test_a_missing_meter_size_price_is_an_error_value():
    result = rate(W_RES, 15, meter_size="10")
    assert result.lines == ()
    assert result.errors == ("W-RES: service_charge has no price for meter_size 10",)
    assert rate(W_RES, 15, meter_size=None).errors == (
        "W-RES: service_charge is priced by meter_size, and no meter_size was given",
    )


def test_a_multi_class_version_needs_the_account_class():
    plan = plan_from_texts(
        EXTRAS.replace(
            "  COMMERCIAL:",
            "  INDUSTRIAL:\n    charges:\n      - {key: a, type: fixed, amount: 1}\n  COMMERCIAL:",
        )
    )
    assert rate(plan, 1, customer_class="INDUSTRIAL").total == Decimal("1.00")
    assert rate(plan, 1, customer_class="IRRIGATION").errors == (
        "W-EXTRA: W-EXTRA from 2017-07-01 has no class 'IRRIGATION' (it has COMMERCIAL, INDUSTRIAL)",
    )


def test_a_period_before_the_first_version_is_an_error_value():
    result = rate(W_RES, 15, start=dt.date(2017, 6, 20), end=dt.date(2017, 7, 19))
    assert result.errors == ("W-RES has no version in effect on 2017-06-20",)


def test_tiers_and_usage_split_helpers():
    assert usage_in_tiers(Decimal("42.5"), [Decimal(41), None]) == [Decimal(41), Decimal("1.5")]
    assert split_usage(Decimal(10), [1, 1, 1]) == [Decimal("3.3333"), Decimal("3.3333"), Decimal("3.3334")]


def test_rate_period_takes_standard_days_from_the_caller():
    """A 20-day period with standard_days=20 is not prorated."""
    result = rate_period(
        plan=W_RES,
        determinants=Determinants(usage_hcf=Decimal(0), customer_class="X", meter_size="3/4"),
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 20),
        standard_days=20,
    )
    assert result.lines[0].amount == Decimal("13.80")
