"""OWRS: every shared sample quoted with amounts worked out by hand from the file and RateParser's rules.

RateParser's rules used below: a ``Tiered`` tier i holds usage up to start(i+1) − 1; a ``Budget``
tier i holds usage up to start(i+1), with ``indoor``/``outdoor`` starts rounded to whole units and
``p%`` = round(p/100 × budget), halves to even. civicbill rounds each line half up to the cent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicbill.core.exceptions import ApplicationError
from civicbill.rates.engine import rate_period
from civicbill.rates.owrs.calculator import OwrsError, calculate_class
from civicbill.rates.owrs.convert import owrs_schedule_document
from civicbill.rates.owrs.formula import FormulaError, evaluate, parse_formula
from civicbill.rates.owrs.reader import jsonable, read_owrs
from civicbill.rates.types import Determinants, PlanVersion, RatingPlan, RatingResult
from tests.rates.helpers import OWRS_DIR

NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)  # 30 days: days_in_period = 30


def _plan(name: str) -> RatingPlan:
    parsed = owrs_schedule_document(text=(OWRS_DIR / name).read_text(), code="OWRS")
    version = PlanVersion(
        version_id=None, effective_from=parsed.effective_from, document=parsed.document, source_format="owrs"
    )
    return RatingPlan(code="OWRS", service="water", versions=(version,))


def _quote(
    name: str, usage: str | int, customer_class: str, meter_size: str | None = None, **variables: str
) -> RatingResult:
    return rate_period(
        plan=_plan(name),
        determinants=Determinants(
            usage_hcf=Decimal(str(usage)),
            customer_class=customer_class,
            meter_size=meter_size,
            variables=variables,
        ),
        period_start=NOV_1,
        period_end=NOV_30,
    )


def _lines(result: RatingResult) -> list[tuple[str, str, str]]:
    return [(line.description, str(line.quantity), str(line.amount)) for line in result.lines]


COACHELLA = "coachella-2017-07-01.owrs"
CVWD = "cvwd-2016-07-01.owrs"
INDIO = "indio-2018-01-01.owrs"
SANTA_MONICA = "santa-monica-2018-01-03.owrs"


def test_coachella_15_hcf_three_quarter_inch():
    """service_charge 3/4" = 13.80; Tiered [0, 41]: 15 HCF all in tier 1 × 1.50 = 22.50. bill 36.30."""
    result = _quote(COACHELLA, 15, "RESIDENTIAL_SINGLE", "3/4")
    assert result.errors == ()
    assert _lines(result) == [("Service charge", "1", "13.80"), ("Commodity charge, tier 1", "15", "22.50")]
    assert result.total == Decimal("36.30")


def test_coachella_tier_one_ends_one_unit_before_the_next_start():
    """Tiered [0, 41]: tier 1 holds up to 40. 41 HCF: 40 × 1.50 = 60.00 + 1 × 1.65 = 1.65; + 13.80 = 75.45."""
    result = _quote(COACHELLA, 41, "COMMERCIAL", "3/4")
    assert _lines(result) == [
        ("Service charge", "1", "13.80"),
        ("Commodity charge, tier 1", "40", "60.00"),
        ("Commodity charge, tier 2", "1", "1.65"),
    ]
    assert result.total == Decimal("75.45")


def test_coachella_one_and_a_half_inch_spelled_with_a_bar():
    """civicbill 1-1/2 matches the file's 1|1/2": 24.84 + 10 × 1.50 = 39.84.

    Fractional usage is billed as is: 10.5 × 1.50 = 15.75 → 40.59.
    """
    assert _quote(COACHELLA, 10, "INSTITUTIONAL", "1-1/2").total == Decimal("39.84")
    assert _quote(COACHELLA, "10.5", "INSTITUTIONAL", '1|1/2"').total == Decimal("40.59")


def test_cvwd_budget_based_residential():
    """July, zone 3, 1,300 sq ft, ET 4.8, 3/4" meter, 25 HCF.

    outdoor = (1300 × 4.8 × 0.84) × (0.55 × 0.00083 / 0.70) = 5241.6 × 0.000652142857… = 3.418272
    budget = indoor 8 + 3.418272 = 11.418272; starts 0, indoor 8, 100% → round(11.418) = 11,
    175% → round(19.982) = 20, 300% → round(34.255) = 34.
    Tiers: 8 × 0.95 = 7.60; 3 × 1.32 = 3.96; 9 × 2.46 = 22.14; 5 × 4.67 = 23.35 → commodity 57.05.
    bill = 57.05 + service 6.92 = 63.97.
    """
    result = _quote(
        CVWD,
        25,
        "RESIDENTIAL_SINGLE",
        "3/4",
        usage_month="7",
        usage_zone="3",
        irr_area="1300",
        et_amount="4.8",
    )
    assert result.errors == ()
    assert _lines(result) == [
        ("Commodity charge, tier 1", "8", "7.60"),
        ("Commodity charge, tier 2", "3", "3.96"),
        ("Commodity charge, tier 3", "9", "22.14"),
        ("Commodity charge, tier 4", "5", "23.35"),
        ("Service charge", "1", "6.92"),
    ]
    assert [line.detail["tier_start"] for line in result.lines[:4]] == ["0", "8", "11", "20"]
    assert result.total == Decimal("63.97")


def test_cvwd_takes_irrigable_area_for_irr_area_and_the_period_month_by_default():
    """Same customer, November (plant factor 0.65), irrigable_area given:
    outdoor = 5241.6 × 0.65 × 0.00083 / 0.7
    = 4.039719; budget 12.039719; starts 8, 12, round(21.07) = 21, round(36.12) = 36.
    25 HCF: 8 × 0.95 = 7.60; 4 × 1.32 = 5.28; 9 × 2.46 = 22.14; 4 × 4.67 = 18.68 → 53.70 + 6.92 = 60.62.
    """
    result = _quote(
        CVWD, 25, "RESIDENTIAL_SINGLE", "3/4", usage_zone="3", irrigable_area="1300", et_amount="4.8"
    )
    assert result.total == Decimal("60.62")


def test_cvwd_fire_service_depends_on_lateral_size():
    """FIRE_SERVICE bill = service_charge by lateral_size: 6" = 35.50."""
    assert _quote(CVWD, 0, "FIRE_SERVICE", lateral_size='6"').total == Decimal("35.50")


def test_indio_budget_from_household_size_with_commodity_spellings():
    """4 people, 30 days, 1,300 sq ft, ET 4.8, 3/4" meter, 30 HCF.

    indoor = 4 × 62.5 × 30 × (1/748) = 10.026738 → start 10;
    outdoor = 0.7 × 4.8 × 1300 × 0.62 / 748 = 3.620535;
    budget 13.647273: 100% → 14, 200% → round(27.29) = 27, 400% → round(54.59) = 55.
    10 × 1.05 = 10.50; 4 × 1.58 = 6.32; 13 × 2.11 = 27.43; 3 × 3.16 = 9.48 → 53.73; + 21.16 = 74.89.
    """
    result = _quote(INDIO, 30, "RESIDENTIAL_SINGLE", "3/4", hhsize="4", irr_area="1300", et_amount="4.8")
    assert result.errors == ()
    assert [(line.tier, str(line.quantity), str(line.amount)) for line in result.lines] == [
        (None, "1", "21.16"),
        (1, "10", "10.50"),
        (2, "4", "6.32"),
        (3, "13", "27.43"),
        (4, "3", "9.48"),
    ]
    assert result.total == Decimal("74.89")


def test_indio_commercial_budget_rounds_half_to_even():
    """commercial_budget 12.5: 100% → round(12.5) = 12 (half to even), 200% → 25, 400% → 50.
    30 HCF: 12 × 1.41 = 16.92; 13 × 2.11 = 27.43; 5 × 3.16 = 15.80 → 60.15; + 21.16 = 81.31.
    """
    result = _quote(INDIO, 30, "COMMERCIAL", "5/8", commercial_budget="12.5")
    assert [str(line.quantity) for line in result.lines[1:]] == ["12", "13", "5"]
    assert result.total == Decimal("81.31")


def test_indio_commercial_without_its_budget_names_the_missing_field():
    result = _quote(INDIO, 30, "COMMERCIAL", "5/8")
    assert result.errors == (
        "OWRS: The field commercial_budget is not present in the OWRS file for customer class COMMERCIAL",
    )


def test_santa_monica_is_read_despite_its_indentation_slip():
    owrs = read_owrs((OWRS_DIR / SANTA_MONICA).read_text())
    assert owrs.warnings == [
        "line 9: 'commodity_charge' was indented deeper than the keys after it; read as their sibling"
    ]
    assert owrs.data["rate_structure"]["RESIDENTIAL_SINGLE"]["commodity_charge"] == "Tiered"


def test_santa_monica_residential_tiers():
    """Tiered [0, 15, 41, 149]: 50 HCF = 14 × 3.01 = 42.14 + 26 × 4.50 = 117.00 + 10 × 6.76 = 67.60
    → 226.74."""
    result = _quote(SANTA_MONICA, 50, "RESIDENTIAL_SINGLE")
    assert _lines(result) == [
        ("Commodity charge, tier 1", "14", "42.14"),
        ("Commodity charge, tier 2", "26", "117.00"),
        ("Commodity charge, tier 3", "10", "67.60"),
    ]
    assert result.total == Decimal("226.74")


def test_santa_monica_multi_family():
    """Tiered [0, 5, 10, 21]: 25 HCF = 4 × 3.01 + 5 × 4.50 + 11 × 6.76 + 5 × 10.57
    = 12.04 + 22.50 + 74.36 + 52.85 = 161.75."""
    assert _quote(SANTA_MONICA, 25, "RESIDENTIAL_MULTI").total == Decimal("161.75")


def test_santa_monica_irrigation_starts_by_meter_size_and_prices_by_water_type():
    """1 1/2" starts [0, 466]; potable prices [4.27, 10.53]:
    500 HCF = 465 × 4.27 = 1985.55 + 35 × 10.53 = 368.55
    → 2354.10. Recycled [3.84, 3.84]: 500 × 3.84 = 1920.00."""
    potable = _quote(SANTA_MONICA, 500, "IRRIGATION", "1-1/2", water_type="POTABLE")
    assert _lines(potable) == [
        ("Commodity charge, tier 1", "465", "1985.55"),
        ("Commodity charge, tier 2", "35", "368.55"),
    ]
    assert potable.total == Decimal("2354.10")
    assert _quote(SANTA_MONICA, 500, "COMMERCIAL", "1-1/2", water_type="recycled").total == Decimal("1920.00")


def test_santa_monica_fire_service():
    """service_charge 4" = 189.99 + commodity_charge 0 = 189.99."""
    result = _quote(SANTA_MONICA, 0, "FIRE_SERVICE", "4")
    assert _lines(result) == [("Service charge", "1", "189.99"), ("Commodity charge", "1", "0.00")]
    assert result.total == Decimal("189.99")


def test_unknown_class_is_refused_like_rateparser():
    assert _quote(COACHELLA, 10, "FARM", "3/4").errors == (
        "OWRS: No rate information for customer class FARM is present in rate file.",
    )


def test_a_missing_depends_on_value_is_named():
    result = _quote(CVWD, 25, "RESIDENTIAL_SINGLE", "3/4", irr_area="1300", et_amount="4.8")
    assert result.errors == (
        "OWRS: One of the fields (usage_zone) is not present. "
        "It can be defined either in the data or in the rate file.",
    )
    missing_et = _quote(CVWD, 25, "RESIDENTIAL_SINGLE", "3/4", usage_zone="3", irr_area="1300")
    assert missing_et.errors == (
        "OWRS: The field et_amount is not present in the OWRS file for customer class RESIDENTIAL_SINGLE",
    )


def test_a_meter_size_the_file_does_not_price_is_named():
    result = _quote(COACHELLA, 10, "RESIDENTIAL_SINGLE", "10")
    assert result.errors[0].startswith(
        'OWRS: service_charge of customer class RESIDENTIAL_SINGLE has no value for meter_size=10"'
    )


PERCENT_IN_TIERED = """metadata:
  effective_date: 2020-01-01
rate_structure:
  RESIDENTIAL_SINGLE:
    commodity_charge: Tiered
    tier_starts:
      - 0
      - 100%
    tier_prices:
      - 1.0
      - 2.0
    bill: commodity_charge
"""


def test_percentage_tiers_in_a_tiered_charge_are_refused_on_import_with_the_line():
    with pytest.raises(ApplicationError) as caught:
        owrs_schedule_document(text=PERCENT_IN_TIERED, code="BAD")
    assert caught.value.message == (
        "line 8: rate_structure.RESIDENTIAL_SINGLE.tier_starts[1]: '100%' is a budget tier start; "
        "a Tiered commodity_charge needs numbers (or make it commodity_charge: Budget)"
    )


def test_percentage_tiers_in_a_tiered_charge_are_refused_when_evaluated():
    data = jsonable(read_owrs(PERCENT_IN_TIERED).data)
    with pytest.raises(OwrsError, match="tier_starts of a Tiered commodity_charge must be numbers; '100%'"):
        calculate_class(data["rate_structure"], "RESIDENTIAL_SINGLE", {"usage_ccf": Decimal(5)})


def test_calculate_class_returns_rateparsers_unrounded_bill():
    """Coachella 3/4", 42 HCF: 13.8 + 40 × 1.5 + 2 × 1.65 = 77.1."""
    data = jsonable(read_owrs((OWRS_DIR / COACHELLA).read_text()).data)
    bill, calculator = calculate_class(
        data["rate_structure"], "RESIDENTIAL_SINGLE", {"usage_ccf": Decimal(42), "meter_size": '3/4"'}
    )
    assert bill == Decimal("77.10")
    assert [tier.usage for tier in calculator.charges["commodity_charge"].tiers] == [Decimal(40), Decimal(2)]


def test_a_file_that_is_not_yaml_names_the_line():
    with pytest.raises(ApplicationError, match=r"^the OWRS file line 3: not valid YAML"):
        owrs_schedule_document(text="metadata:\n  a: 1\n   b: [\n", code="BAD")


def test_formulas_are_evaluated_without_eval():
    values = {"a": Decimal(2), "b": Decimal(3)}
    assert evaluate(parse_formula("(a + b) * 2 - 1/4"), values.__getitem__) == Decimal("9.75")
    assert evaluate(parse_formula("-a*b"), values.__getitem__) == Decimal(-6)
    for bad in ("__import__('os')", "a ** b", "max(a, b)", "(a + b", "a +"):
        with pytest.raises(FormulaError):
            parse_formula(bad)


MULTI = """metadata:
  effective_date: 2020-01-01
rate_structure:
  COMMERCIAL:
    service_charge:
      depends_on:
        - meter_size
        - water_type
      values:
        3/4"|POTABLE: 20.00
        3/4"|RECYCLED: 15.00
        1|1/2"|POTABLE: 40.00
    commodity_charge: Budget
    budget: 20
    tier_starts: [0, 50%, 100%]
    tier_prices: [1.00, 2.00, 4.00]
    sewer_charge: Tiered
    sewer_tier_starts: [0, 10]
    sewer_tier_prices: [2.00, 3.00]
    bill: service_charge + commodity_charge + sewer_charge
  INDUSTRIAL:
    service_charge: 20
    commodity_charge: Budget
    budget: 20
    tier_starts: [0, 50%, 100%]
    tier_prices: [1.00, 2.00, 4.00]
    bill: (service_charge + commodity_charge) * 1.1
  IRRIGATION:
    sewer_charge: Budget
    sewer_budget: 8
    sewer_tier_starts: [0, 100%]
    sewer_tier_prices: [1, 5]
    bill: sewer_charge
"""


def _quote_text(text: str, usage: int, customer_class: str, **variables: str) -> RatingResult:
    parsed = owrs_schedule_document(text=text, code="MULTI")
    version = PlanVersion(
        version_id=7, effective_from=parsed.effective_from, document=parsed.document, source_format="owrs"
    )
    return rate_period(
        plan=RatingPlan(code="MULTI", service="water", versions=(version,)),
        determinants=Determinants(
            usage_hcf=Decimal(usage), customer_class=customer_class, variables=variables
        ),
        period_start=NOV_1,
        period_end=NOV_30,
    )


def test_multi_key_depends_on_budget_commodity_and_tiered_sewer():
    """service_charge by (meter_size, water_type): 3/4"|POTABLE = 20.00.
    Budget 20, starts [0, 50%, 100%] → 0, 10, 20: 25 HCF = 10 × 1 + 10 × 2 + 5 × 4 = 50.00.
    Sewer Tiered [0, 10]: 9 × 2 = 18.00 + 16 × 3 = 48.00 → 66.00. bill 136.00.
    """
    result = _quote_text(MULTI, 25, "COMMERCIAL", meter_size='3/4"', water_type="POTABLE")
    assert _lines(result) == [
        ("Service charge", "1", "20.00"),
        ("Commodity charge, tier 1", "10", "10.00"),
        ("Commodity charge, tier 2", "10", "20.00"),
        ("Commodity charge, tier 3", "5", "20.00"),
        ("Sewer charge, tier 1", "9", "18.00"),
        ("Sewer charge, tier 2", "16", "48.00"),
    ]
    assert result.total == Decimal("136.00")


def test_multi_key_depends_on_with_a_size_holding_a_bar():
    """1 1/2" + potable matches the key 1|1/2"|POTABLE: 40.00 + 50.00 + 66.00 = 156.00."""
    result = _quote_text(MULTI, 25, "COMMERCIAL", meter_size='1 1/2"', water_type="potable")
    assert result.total == Decimal("156.00")
    missing = _quote_text(MULTI, 25, "COMMERCIAL", meter_size='1"', water_type="POTABLE")
    assert missing.errors[0].startswith(
        "MULTI: service_charge of customer class COMMERCIAL has no value for "
        'meter_size=1", water_type=POTABLE'
    )


def test_a_bill_formula_that_is_not_a_sum_is_one_line():
    """(20 + 50) × 1.1 = 77.00."""
    result = _quote_text(MULTI, 25, "INDUSTRIAL")
    assert _lines(result) == [("Bill", "1", "77.00")]


def test_budget_sewer_uses_sewer_budget():
    """sewer_budget 8, starts [0, 100%] → 0, 8: 25 HCF = 8 × 1 + 17 × 5 = 93.00."""
    assert _quote_text(MULTI, 25, "IRRIGATION").total == Decimal("93.00")
