"""OWRS files as published: a malformed customer class is skipped on import (its own error when used),
the other classes import and quote; the import shows the tier table civicbill bills.

The malformed file is a copy of the real Coachella file (tests/data/owrs) with three classes broken
the ways published files break them: a price list shorter than its tier starts, a price written with
a decimal comma, a Tiered charge without its tier starts. RESIDENTIAL_SINGLE is left as published.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from civicbill.billing.calculation import AccountFacts, AgreementFacts, WaterFacts, draft_bill
from civicbill.core.exceptions import ApplicationError
from civicbill.rates import selectors, services
from civicbill.rates.engine import rate_period
from civicbill.rates.owrs.convert import owrs_schedule_document
from civicbill.rates.owrs.report import tier_tables
from civicbill.rates.quotes import quote_plan
from civicbill.rates.types import Determinants, PlanVersion, RatingPlan
from tests.rates.helpers import OWRS_DIR

TODAY = dt.date(2026, 12, 1)
NOV_30 = dt.date(2026, 11, 30)

COACHELLA = (OWRS_DIR / "coachella-2017-07-01.owrs").read_text(encoding="utf-8")
SANTA_MONICA = (OWRS_DIR / "santa-monica-2018-01-03.owrs").read_text(encoding="utf-8")
CVWD = (OWRS_DIR / "cvwd-2016-07-01.owrs").read_text(encoding="utf-8")


def _malformed_coachella() -> str:
    head, rest = COACHELLA.split("  RESIDENTIAL_MULTI:\n")
    multi, rest = rest.split("  COMMERCIAL:\n")
    commercial, institutional = rest.split("  INSTITUTIONAL:\n")
    multi = multi.replace("      - 1.5\n      - 1.65\n", "      - 1.5\n")  # line 57: one price, two starts
    commercial = commercial.replace("      - 1.65\n", "      - 1,65\n")  # line 84
    institutional = institutional.replace(
        "    tier_starts_commodity:\n      - 0\n      - 41\n", ""
    )  # line 104
    text = f"{head}  RESIDENTIAL_MULTI:\n{multi}  COMMERCIAL:\n{commercial}  INSTITUTIONAL:\n{institutional}"
    assert text != COACHELLA and text.count("1,65") == 1
    return text


MALFORMED = _malformed_coachella()

SKIPPED = [
    {
        "class": "RESIDENTIAL_MULTI",
        "field": "tier_prices_commodity",
        "line": 57,
        "path": "rate_structure.RESIDENTIAL_MULTI.tier_prices_commodity",
        "problem": "1 price for 2 tier starts (tier_starts_commodity)",
    },
    {
        "class": "COMMERCIAL",
        "field": "tier_prices_commodity",
        "line": 84,
        "path": "rate_structure.COMMERCIAL.tier_prices_commodity[1]",
        "problem": "'1,65' is not a number",
    },
    {
        "class": "INSTITUTIONAL",
        "field": "tier_starts",
        "line": 104,
        "path": "rate_structure.INSTITUTIONAL.commodity_charge",
        "problem": "missing: commodity_charge: Tiered needs tier_starts (or tier_starts_commodity)",
    },
]

MULTI_SKIPPED = (
    "Customer class RESIDENTIAL_MULTI was skipped when the OWRS file was imported: "
    "tier_prices_commodity (line 57): 1 price for 2 tier starts (tier_starts_commodity). "
    "Correct the file and import it again."
)

COACHELLA_TABLE = "1–40 HCF at $1.50; 41+ HCF at $1.65"
COACHELLA_NOTE = (
    "An OWRS tier start is the first unit of its tier: unit 41 is billed in tier 2. "
    "A rate resolution that publishes “0–41 HCF” for tier 1 includes unit 41 in tier 1; "
    "in OWRS that is tier_starts [0, 42]. Check this table against the rate resolution."
)


def _plan(text: str, name: str = "malformed.owrs") -> RatingPlan:
    parsed = owrs_schedule_document(text=text, code="OWRS", source_name=name)
    version = PlanVersion(
        version_id=None, effective_from=parsed.effective_from, document=parsed.document, source_format="owrs"
    )
    return RatingPlan(code=name, service="water", versions=(version,))


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("rates", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def malformed_file(tmp_path: Path) -> Path:
    path = tmp_path / "coachella-malformed.owrs"
    path.write_text(MALFORMED, encoding="utf-8")
    return path


# -- the document ---------------------------------------------------------------------------------
def test_the_valid_class_is_imported_and_the_malformed_ones_are_listed_with_field_and_line():
    parsed = owrs_schedule_document(text=MALFORMED, code="W-CV", source_name="coachella-malformed.owrs")
    assert parsed.document["owrs_classes"] == ["RESIDENTIAL_SINGLE"]
    assert parsed.document["skipped_classes"] == SKIPPED


def test_a_valid_class_of_a_malformed_file_quotes_as_published():
    """RESIDENTIAL_SINGLE 3/4", 15 HCF: 13.80 + 15 × 1.50 = 36.30."""
    quote = quote_plan(
        plan=_plan(MALFORMED),
        customer_class="RESIDENTIAL_SINGLE",
        usage_hcf=Decimal(15),
        period_end=NOV_30,
        variables={"meter_size": '3/4"'},
    )
    assert quote.total == Decimal("36.30")


@pytest.mark.parametrize(
    ("customer_class", "field_and_problem"),
    [
        (
            "RESIDENTIAL_MULTI",
            "tier_prices_commodity (line 57): 1 price for 2 tier starts (tier_starts_commodity)",
        ),
        ("COMMERCIAL", "tier_prices_commodity (line 84): '1,65' is not a number"),
        (
            "INSTITUTIONAL",
            "tier_starts (line 104): missing: commodity_charge: Tiered needs tier_starts "
            "(or tier_starts_commodity)",
        ),
    ],
)
def test_quoting_a_skipped_class_names_the_class_and_the_field(customer_class: str, field_and_problem: str):
    with pytest.raises(ApplicationError) as caught:
        quote_plan(
            plan=_plan(MALFORMED),
            customer_class=customer_class,
            usage_hcf=Decimal(15),
            period_end=NOV_30,
            variables={"meter_size": '3/4"'},
        )
    assert caught.value.message == (
        f"malformed.owrs: Customer class {customer_class} was skipped when the OWRS file was imported: "
        f"{field_and_problem}. Correct the file and import it again."
    )
    assert (caught.value.code, caught.value.field) == ("rating_error", "customer_class")


def test_a_file_whose_every_class_is_malformed_is_refused_with_every_problem():
    only_bad = MALFORMED.replace("  RESIDENTIAL_SINGLE:\n", "  RESIDENTIAL_SINGLE:\n    bill: 13.8x\n", 1)
    only_bad = only_bad.replace(
        "    bill: service_charge+commodity_charge\n  RESIDENTIAL_MULTI", "  RESIDENTIAL_MULTI"
    )
    with pytest.raises(ApplicationError) as caught:
        owrs_schedule_document(text=only_bad, code="W-CV")
    assert caught.value.message == (
        "No customer class of the OWRS file can be imported: "
        "line 14: rate_structure.RESIDENTIAL_SINGLE.bill: not a number or a formula: "
        "unexpected 'x' in the formula '13.8x'; "
        "line 57: rate_structure.RESIDENTIAL_MULTI.tier_prices_commodity: "
        "1 price for 2 tier starts (tier_starts_commodity); "
        "line 84: rate_structure.COMMERCIAL.tier_prices_commodity[1]: '1,65' is not a number; "
        "line 104: rate_structure.INSTITUTIONAL.commodity_charge: "
        "missing: commodity_charge: Tiered needs tier_starts (or tier_starts_commodity)"
    )


SINGLE = "rate_structure.RESIDENTIAL_SINGLE"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("    bill: service_charge+commodity_charge\n", ""), f"{SINGLE}: has no 'bill' field"),
        (
            ('        2": 40.02\n', '        2": $40.02\n'),
            f"{SINGLE}.service_charge.values.2\": '$40.02' is not a number",
        ),
        (
            ("      - 41\n", "      - 0\n"),
            f"{SINGLE}.tier_starts_commodity: tier starts must increase: 0 comes after 0",
        ),
        (
            ("    commodity_charge: Tiered\n", "    commodity_charge: Budget\n"),
            f"{SINGLE}.commodity_charge: missing: commodity_charge: Budget needs budget "
            "(or budget_commodity)",
        ),
        (
            ("    fixed_drought_surcharge: 0\n", "    fixed_drought_surcharge: 0..5\n"),
            f"{SINGLE}.fixed_drought_surcharge: not a number or a formula: "
            "unexpected '.5' in the formula '0..5'",
        ),
    ],
)
def test_each_kind_of_malformed_class_is_caught_on_import(change: tuple[str, str], problem: str):
    head, rest = COACHELLA.split("  RESIDENTIAL_MULTI:\n", 1)
    text = head.replace(*change, 1) + "  RESIDENTIAL_MULTI:\n" + rest
    parsed = owrs_schedule_document(text=text, code="W-CV")
    assert parsed.document["owrs_classes"] == ["RESIDENTIAL_MULTI", "COMMERCIAL", "INSTITUTIONAL"]
    [skipped] = parsed.document["skipped_classes"]
    assert f"{skipped['path']}: {skipped['problem']}" == problem


def test_the_real_sample_files_have_no_skipped_class():
    for path in sorted(OWRS_DIR.glob("*.owrs")):
        parsed = owrs_schedule_document(text=path.read_text(encoding="utf-8"), code="W-CV")
        assert parsed.document["skipped_classes"] == [], path.name


# -- the tier tables ------------------------------------------------------------------------------
def test_coachella_tier_starts_0_41_are_shown_as_1_to_40_and_41_up_with_the_inclusive_bound_note():
    tables = tier_tables(owrs_schedule_document(text=COACHELLA, code="W-CV").document)
    assert [(t["class"], t["charge"], t["rate_type"]) for t in tables] == [
        ("RESIDENTIAL_SINGLE", "commodity_charge", "Tiered"),
        ("RESIDENTIAL_MULTI", "commodity_charge", "Tiered"),
        ("COMMERCIAL", "commodity_charge", "Tiered"),
        ("INSTITUTIONAL", "commodity_charge", "Tiered"),
    ]
    assert tables[0] == {
        "class": "RESIDENTIAL_SINGLE",
        "charge": "commodity_charge",
        "rate_type": "Tiered",
        "tables": [
            {
                "when": "",
                "text": COACHELLA_TABLE,
                "tiers": [
                    {"tier": 1, "above": "0", "up_to": "40", "price": "1.5", "text": "1–40 HCF"},
                    {"tier": 2, "above": "40", "up_to": None, "price": "1.65", "text": "41+ HCF"},
                ],
            }
        ],
        "notes": [COACHELLA_NOTE],
    }


def test_the_table_is_what_the_calculator_bills():
    """41 HCF on Coachella's file: 40 at $1.50 and unit 41 at $1.65, as the table says."""
    quote = quote_plan(
        plan=_plan(COACHELLA),
        customer_class="RESIDENTIAL_SINGLE",
        usage_hcf=Decimal(41),
        period_end=NOV_30,
        variables={"meter_size": '3/4"'},
    )
    assert [(line.quantity, line.price, line.amount) for line in quote.lines[1:]] == [
        (Decimal(40), Decimal("1.5"), Decimal("60.00")),
        (Decimal(1), Decimal("1.65"), Decimal("1.65")),
    ]


def test_santa_monica_tables_by_meter_size_and_water_type():
    tables = {
        (t["class"], t["charge"]): t
        for t in tier_tables(owrs_schedule_document(text=SANTA_MONICA, code="W-SM").document)
    }
    single = tables["RESIDENTIAL_SINGLE", "commodity_charge"]
    assert [table["text"] for table in single["tables"]] == [
        "1–14 HCF at $3.01; 15–40 HCF at $4.50; 41–148 HCF at $6.76; 149+ HCF at $10.57"
    ]
    assert single["notes"][0].startswith(
        "An OWRS tier start is the first unit of its tier: unit 15 is billed in tier 2."
    )
    irrigation = tables["IRRIGATION", "commodity_charge"]
    assert [(table["when"], table["text"]) for table in irrigation["tables"][:3]] == [
        ('meter_size 5/8", 3/4", 1"; water_type potable', "1–210 HCF at $4.27; 211+ HCF at $10.53"),
        ('meter_size 5/8", 3/4", 1"; water_type recycled', "1–210 HCF at $3.84; 211+ HCF at $3.84"),
        ('meter_size 1 1/2"; water_type potable', "1–465 HCF at $4.27; 466+ HCF at $10.53"),
    ]
    assert len(irrigation["tables"]) == 12  # 6 distinct start lists × 2 water types
    assert ("FIRE_SERVICE", "commodity_charge") not in tables  # commodity_charge: 0, not tiered


def test_budget_tables_name_their_starts_per_customer():
    tables = tier_tables(owrs_schedule_document(text=CVWD, code="W-CVWD").document)
    single = tables[0]
    assert (single["class"], single["rate_type"]) == ("RESIDENTIAL_SINGLE", "Budget")
    assert single["tables"][0]["text"] == (
        "up to indoor at $0.95; indoor to 100% of budget at $1.32; 100% to 175% of budget at $2.46; "
        "175% to 300% of budget at $4.67; above 300% of budget at $6.13"
    )
    assert single["notes"] == [
        "Budget tiers are computed for each customer from the budget; each tier includes its upper "
        "bound (RateParser)."
    ]


# -- the service, the command, the API and the page -----------------------------------------------
def test_the_import_service_stores_the_skipped_classes_and_billing_them_is_refused(supervisor):
    version = services.schedule_version_import_owrs(
        text=MALFORMED, code="W-CV", actor=supervisor, as_of=TODAY, source_name="coachella-malformed.owrs"
    )
    assert version.document["skipped_classes"] == SKIPPED
    start, end = dt.date(2026, 10, 29), dt.date(2026, 11, 28)
    plan = selectors.rating_plans(codes=["W-CV"], period_start=start, period_end=end)["W-CV"]

    def rate(code: str, determinants: Determinants, start: dt.date, end: dt.date, days: int) -> Any:
        return rate_period(plan=plan, determinants=determinants, period_start=start, period_end=end)

    def facts(customer_class: str) -> AccountFacts:
        return AccountFacts(
            account_id=7,
            number="1000001-6",
            language="en",
            premise_type="single_family",
            dwelling_units=1,
            customer_class=customer_class,
            agreements=(AgreementFacts("water", "W-CV", dt.date(2020, 1, 1), None),),
            water=WaterFacts(Decimal(15), estimated=False, missing=False, meter_size="3/4"),
            balance_now_cents=0,
            previous_balance_cents=0,
            payments_cents=0,
            usual_bill_cents=None,
        )

    def draft(customer_class: str) -> Any:
        return draft_bill(
            facts(customer_class), number="N", period_start=start, period_end=end, standard_days=31, rate=rate
        )

    assert draft("RESIDENTIAL_SINGLE").current_charges_cents == 3_630
    held = draft("RESIDENTIAL_MULTI")
    assert [(e.code, e.message) for e in held.exceptions] == [
        ("rating_error", f"W-CV: W-CV: {MULTI_SKIPPED}")
    ]
    assert held.current_charges_cents == 0


@pytest.mark.django_db
def test_the_import_command_prints_the_skipped_classes_and_the_tier_table(supervisor, malformed_file):
    text = _run("import-owrs", str(malformed_file), "--code", "W-CV", "--user", "supervisor")
    assert text.splitlines() == [
        "Loaded W-CV from 2017-07-01 (owrs, coachella-malformed.owrs).",
        "Skipped 3 customer classes (quoting or billing them is refused until the file is corrected "
        "and imported again):",
        "  RESIDENTIAL_MULTI: tier_prices_commodity (line 57): 1 price for 2 tier starts "
        "(tier_starts_commodity)",
        "  COMMERCIAL: tier_prices_commodity (line 84): '1,65' is not a number",
        "  INSTITUTIONAL: tier_starts (line 104): missing: commodity_charge: Tiered needs tier_starts "
        "(or tier_starts_commodity)",
        "Tier tables as civicbill bills them (check them against the rate resolution):",
        f"  RESIDENTIAL_SINGLE commodity_charge (Tiered): {COACHELLA_TABLE}",
        f"    note: {COACHELLA_NOTE}",
    ]
    quote = json.loads(
        _run("quote", "--schedule", "W-CV", "--class", "RESIDENTIAL_SINGLE", "--usage", "15",
             "--var", 'meter_size=3/4"', "--date", "2026-11-30", "--json")
    )  # fmt: skip
    assert quote["total"] == "36.30"
    with pytest.raises(CommandError) as caught:
        _run("quote", "--schedule", "W-CV", "--class", "RESIDENTIAL_MULTI", "--usage", "15",
             "--var", 'meter_size=3/4"', "--date", "2026-11-30")  # fmt: skip
    assert str(caught.value) == f"W-CV: {MULTI_SKIPPED}"


@pytest.mark.django_db
def test_the_import_command_json_has_the_skipped_classes_and_the_tier_tables(supervisor, malformed_file):
    result = json.loads(
        _run("import-owrs", str(malformed_file), "--code", "W-CV", "--user", "supervisor", "--json")
    )
    assert result["classes"] == ["RESIDENTIAL_SINGLE"]
    assert result["skipped_classes"] == SKIPPED
    assert [(t["class"], t["tables"][0]["text"], t["notes"]) for t in result["tier_tables"]] == [
        ("RESIDENTIAL_SINGLE", COACHELLA_TABLE, [COACHELLA_NOTE])
    ]


def test_quoting_a_file_directly_with_a_skipped_class(malformed_file):
    assert '"total": "36.30"' in _run(
        "quote", "--owrs", str(malformed_file), "--class", "RESIDENTIAL_SINGLE", "--usage", "15",
        "--var", 'meter_size=3/4"', "--date", "2026-11-30", "--json",
    )  # fmt: skip
    with pytest.raises(CommandError) as caught:
        _run("quote", "--owrs", str(malformed_file), "--class", "COMMERCIAL", "--usage", "15",
             "--var", 'meter_size=3/4"', "--date", "2026-11-30")  # fmt: skip
    assert str(caught.value) == (
        "coachella-malformed.owrs: Customer class COMMERCIAL was skipped when the OWRS file was imported: "
        "tier_prices_commodity (line 84): '1,65' is not a number. Correct the file and import it again."
    )


def test_the_api_shows_the_skipped_classes_and_tier_tables_of_an_owrs_version(
    client: Client, frozen, supervisor, csr
):
    services.schedule_version_import_owrs(
        text=MALFORMED, code="W-CV", actor=supervisor, as_of=TODAY, source_name="coachella-malformed.owrs"
    )
    client.force_login(csr)
    [row] = client.get("/api/rates/schedules/W-CV").json()["versions"]
    assert row["classes"] == ["RESIDENTIAL_SINGLE"]
    assert row["skipped_classes"] == SKIPPED
    assert [(t["class"], t["tables"][0]["text"], t["notes"]) for t in row["tier_tables"]] == [
        ("RESIDENTIAL_SINGLE", COACHELLA_TABLE, [COACHELLA_NOTE])
    ]
    listing = {row["code"]: row for row in client.get("/api/rates/schedules").json()}
    assert listing["W-CV"]["classes"] == ["RESIDENTIAL_SINGLE"]


def test_the_schedule_page_shows_the_skipped_classes_and_tier_tables(client: Client, frozen, supervisor, csr):
    services.schedule_version_import_owrs(
        text=MALFORMED, code="W-CV", actor=supervisor, as_of=TODAY, source_name="coachella-malformed.owrs"
    )
    client.force_login(csr)
    page = client.get("/rates/W-CV/").content.decode()
    assert "Classes skipped on import" in page
    assert "<td>RESIDENTIAL_MULTI</td><td>tier_prices_commodity</td><td>57</td>" in page
    assert "1 price for 2 tier starts (tier_starts_commodity)" in page
    assert "Tier tables as civicbill bills them" in page
    assert COACHELLA_TABLE in page
    assert "unit 41 is billed in tier 2" in page
