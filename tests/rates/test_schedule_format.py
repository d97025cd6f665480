"""The schedule file: what it accepts, and the key and line it names when it refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.rates.schedule_format import ScheduleFileError, parse_schedule
from tests.rates.helpers import COACHELLA, OWRS_DIR

GOOD = """schedule: w-test
service: water
name: Test
effective_from: 2026-01-01
classes:
  RESIDENTIAL_SINGLE:
    charges:
      - key: service_charge
        type: fixed
        by: meter_size
        prices:
          3/4": 13.80
          1 1/2": 24.84
      - key: commodity_charge
        type: tiered
        tiers:
          - up_to: 41
            price: 1.50
          - price: 1.65
"""


def test_every_demo_schedule_parses_with_the_codes_the_demo_city_uses():
    codes = {parse_schedule(path.read_text()).code for path in COACHELLA.glob("*.yaml")}
    assert codes == {
        "W-RES",
        "W-MF",
        "W-COM",
        "W-IRR",
        "S-RES",
        "S-MF",
        "S-COM",
        "R-96GAL",
        "R-BIN-3YD",
        "F-LINE",
    }


def test_a_good_file_normalises_code_sizes_and_numbers():
    parsed = parse_schedule(GOOD)
    assert (parsed.code, parsed.service, parsed.effective_from) == ("W-TEST", "water", dt.date(2026, 1, 1))
    charges = parsed.document["classes"]["RESIDENTIAL_SINGLE"]["charges"]
    assert charges[0]["prices"] == {"3/4": "13.80", "1-1/2": "24.84"}
    assert charges[1]["tiers"] == [{"up_to": "41", "price": "1.50"}, {"up_to": None, "price": "1.65"}]
    assert parsed.document["standard_days"] == 30
    assert parsed.document["format"] == "civicbill-yaml"


C = "classes.RESIDENTIAL_SINGLE.charges"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("price: 1.50", "price: cheap"),
            f"line 18: {C}[1].tiers[0].price: must be a number like 1.50, not 'cheap'",
        ),
        (
            ("type: tiered", "type: stepped"),
            f"line 15: {C}[1].type: 'stepped' is not a charge type; "
            "use one of fixed, tiered, budget, volumetric, minimum, percent",
        ),
        (
            ("        by: meter_size\n", "        by: meter_size\n        prise: 3\n"),
            f"line 11: {C}[0].prise: unknown key 'prise'; "
            "expected one of amount, by, description, key, per, prices, prorate, type",
        ),
        (
            ("service: water", "service: gas"),
            "line 2: service: 'gas' is not a service; use one of water, sewer, refuse, fire_line",
        ),
        (
            ("effective_from: 2026-01-01", "effective_from: soon"),
            "line 4: effective_from: 'soon' is not a date like 2017-07-01",
        ),
        (
            ("          - up_to: 41\n            price: 1.50\n", "          - price: 1.50\n"),
            f"line 17: {C}[1].tiers[0]: missing required key 'up_to' (only the last tier has none)",
        ),
        (
            ("          - price: 1.65", "          - up_to: 30\n            price: 1.65"),
            f"line 19: {C}[1].tiers[1].up_to: the last tier has no upper bound (it holds the rest)",
        ),
        (
            ("      - key: commodity_charge", "      - key: service_charge"),
            f"line 14: {C}[1].key: charge key 'service_charge' is used twice in this class",
        ),
        (("name: Test\n", "name: Test\n  oops: [\n"), "line 4: not valid YAML"),
        (("classes:", "clases:"), "line 5: clases: unknown key 'clases'"),
    ],
)
def test_a_malformed_file_is_refused_naming_key_and_line(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(ScheduleFileError) as caught:
        parse_schedule(GOOD.replace(old, new, 1))
    assert str(caught.value).startswith(message)


def test_tier_bounds_must_rise():
    text = GOOD.replace(
        "          - price: 1.65", "          - up_to: 41\n            price: 1.60\n          - price: 1.65"
    )
    with pytest.raises(
        ScheduleFileError,
        match=r"^line 19: .*tiers\[1\]\.up_to: must be above the previous tier's bound \(41\)",
    ):
        parse_schedule(text)


def test_a_missing_top_key_names_it():
    with pytest.raises(ScheduleFileError, match=r"^line 1: missing required key 'classes'"):
        parse_schedule("schedule: X\nservice: water\neffective_from: 2026-01-01\n")


def test_an_empty_file_is_refused():
    with pytest.raises(ScheduleFileError, match=r"^line 1: the file is empty"):
        parse_schedule("# nothing\n")


def test_an_owrs_file_is_pointed_to_import_owrs():
    text = (OWRS_DIR / "coachella-2017-07-01.owrs").read_text()
    with pytest.raises(
        ScheduleFileError, match=r"^line 12: rate_structure: this is an OWRS file; import it with"
    ):
        parse_schedule(text)
