"""Loading schedule versions, the demo schedules, and the selectors the billing run uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicbill.core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.rates import selectors, services
from civicbill.rates.engine import rate_period
from civicbill.rates.models import RateSchedule, RateScheduleVersion
from civicbill.rates.types import Determinants
from tests.fixtures.database import assert_nothing_changed
from tests.rates.helpers import COACHELLA, OWRS_DIR

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
W_RES = (COACHELLA / "W-RES.yaml").read_text()


def _version(effective: str, meter: str = "15.00") -> str:
    return W_RES.replace("effective_from: 2017-07-01", f"effective_from: {effective}").replace(
        '"3/4": 13.80', f'"3/4": {meter}'
    )


def test_load_stores_the_file_exactly_and_audits_it(supervisor):
    version = services.schedule_version_load(
        text=W_RES, source_name="W-RES.yaml", actor=supervisor, as_of=TODAY
    )
    assert version.source_text == W_RES
    assert (version.schedule.code, version.schedule.service, version.effective_from) == (
        "W-RES",
        "water",
        dt.date(2017, 7, 1),
    )
    assert version.source_format == "civicbill-yaml"
    assert version.loaded_by == supervisor
    assert version.document["classes"]["RESIDENTIAL_SINGLE"]["charges"][1]["tiers"][0] == {
        "up_to": "41",
        "price": "1.50",
    }
    assert list(AuditEvent.objects.filter(action="rate_version.load").values_list("summary", flat=True)) == [
        "W-RES from 2017-07-01 loaded from W-RES.yaml (civicbill-yaml)"
    ]


def test_load_refuses_a_second_version_on_the_same_day_and_writes_nothing(supervisor):
    services.schedule_version_load(text=W_RES, source_name="a", actor=supervisor, as_of=TODAY)
    with pytest.raises(ApplicationError, match="W-RES already has a version effective 2017-07-01"):
        services.schedule_version_load(text=W_RES, source_name="b", actor=supervisor, as_of=TODAY)
    assert RateScheduleVersion.objects.count() == 1


def test_load_refuses_a_version_that_would_overlap_a_later_one(supervisor):
    services.schedule_version_load(
        text=_version("2020-01-01"), source_name="a", actor=supervisor, as_of=TODAY
    )
    with pytest.raises(
        ApplicationError,
        match="W-RES has a version effective 2020-01-01; a version from 2017-07-01 would overlap it",
    ):
        services.schedule_version_load(text=W_RES, source_name="b", actor=supervisor, as_of=TODAY)
    assert RateScheduleVersion.objects.count() == 1


def test_load_refuses_a_malformed_file_naming_key_and_line(supervisor):
    with pytest.raises(ApplicationError) as caught:
        services.schedule_version_load(
            text=W_RES.replace("price: 1.65", "price: lots"),
            source_name="W-RES.yaml",
            actor=supervisor,
            as_of=TODAY,
        )
    assert caught.value.message == (
        "W-RES.yaml: line 34: classes.RESIDENTIAL_SINGLE.charges[1].tiers[1].price: "
        "must be a number like 1.50, not 'lots'"
    )
    assert RateSchedule.objects.count() == 0


def test_load_needs_rates_manage(csr, technician):
    for actor in (csr, technician):
        with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
            services.schedule_version_load(text=W_RES, source_name="a", actor=actor, as_of=TODAY)
    assert RateSchedule.objects.count() == 0


def test_a_supervisor_adds_a_future_version_and_not_a_past_one(supervisor):
    services.schedule_version_load(text=W_RES, source_name="a", actor=supervisor, as_of=TODAY)
    with pytest.raises(
        ApplicationError, match="must take effect after 2026-12-01; 2026-12-01 is not in the future"
    ):
        services.schedule_version_add(
            code="W-RES", text=_version("2026-12-01"), actor=supervisor, as_of=TODAY
        )
    RateSchedule.objects.create(
        code="W-MF", service="water", name="x", created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    with pytest.raises(ApplicationError, match="The file is for schedule W-RES, not W-MF"):
        services.schedule_version_add(code="W-MF", text=_version("2027-07-01"), actor=supervisor, as_of=TODAY)
    version = services.schedule_version_add(
        code="w-res", text=_version("2027-07-01"), actor=supervisor, as_of=TODAY
    )
    assert version.label == "W-RES from 2027-07-01"
    assert [v.effective_from for v in selectors.schedule_versions(schedule=version.schedule)] == [
        dt.date(2017, 7, 1),
        dt.date(2027, 7, 1),
    ]


def test_add_refuses_an_unknown_schedule(supervisor):
    with pytest.raises(ApplicationError, match="There is no rate schedule 'W-NONE'"):
        services.schedule_version_add(
            code="W-NONE", text=_version("2027-07-01"), actor=supervisor, as_of=TODAY
        )


def test_a_schedule_keeps_its_service(supervisor):
    services.schedule_version_load(text=W_RES, source_name="a", actor=supervisor, as_of=TODAY)
    with pytest.raises(ApplicationError, match="W-RES is a water schedule; this file is for sewer"):
        services.schedule_version_load(
            text=_version("2027-01-01").replace("service: water", "service: sewer"),
            source_name="b",
            actor=supervisor,
            as_of=TODAY,
        )


def test_load_demo_schedules_is_idempotent(technician):
    created = services.load_demo_schedules_trusted(actor=technician, as_of=TODAY)
    assert sorted(version.schedule.code for version in created) == sorted(
        ["W-RES", "W-MF", "W-COM", "W-IRR", "S-RES", "S-MF", "S-COM", "R-96GAL", "R-BIN-3YD", "F-LINE"]
    )
    assert {version.effective_from for version in created} == {dt.date(2017, 7, 1)}
    assert services.load_demo_schedules_trusted(actor=technician, as_of=TODAY) == []
    assert RateScheduleVersion.objects.count() == 10
    assert {s.code: s.service for s in selectors.schedules_list()}["F-LINE"] == "fire_line"


def test_rating_plans_in_one_query_with_the_versions_in_effect(supervisor, django_assert_num_queries):
    services.load_demo_schedules_trusted(actor=supervisor, as_of=TODAY)
    services.schedule_version_load(
        text=_version("2026-11-15"),
        source_name="raise",
        actor=supervisor,
        as_of=TODAY,
        retroactive_reason="Rate raise adopted 2026-11-10, loaded late",
    )
    services.schedule_version_load(
        text=_version("2027-07-01", "16.00"), source_name="later", actor=supervisor, as_of=TODAY
    )
    with django_assert_num_queries(1):
        plans = selectors.rating_plans(
            codes=["W-RES", "S-RES", "NO-SUCH"],
            period_start=dt.date(2026, 10, 29),
            period_end=dt.date(2026, 11, 28),
        )
    assert sorted(plans) == ["S-RES", "W-RES"]
    assert [v.effective_from for v in plans["W-RES"].versions] == [dt.date(2017, 7, 1), dt.date(2026, 11, 15)]
    assert plans["W-RES"].versions[1].label == "W-RES from 2026-11-15"
    december = selectors.rating_plans(
        codes=["W-RES"], period_start=dt.date(2026, 11, 29), period_end=dt.date(2026, 12, 28)
    )
    assert [v.effective_from for v in december["W-RES"].versions] == [dt.date(2026, 11, 15)]
    result = rate_period(
        plan=december["W-RES"],
        determinants=Determinants(
            usage_hcf=Decimal(15), customer_class="RESIDENTIAL_SINGLE", meter_size="3/4"
        ),
        period_start=dt.date(2026, 11, 29),
        period_end=dt.date(2026, 12, 28),
    )
    assert result.total == Decimal("37.50")  # $15.00 + 15 × $1.50


def test_schedule_get_and_in_effect(supervisor):
    services.load_demo_schedules_trusted(actor=supervisor, as_of=TODAY)
    schedule = selectors.schedule_get("w-res")
    assert schedule.code == "W-RES"
    assert selectors.schedule_version_in_effect(schedule=schedule, on=dt.date(2017, 6, 30)) is None
    in_effect = selectors.schedule_version_in_effect(schedule=schedule, on=TODAY)
    assert in_effect is not None
    assert in_effect.effective_from == dt.date(2017, 7, 1)
    with pytest.raises(NotFoundError, match="There is no rate schedule 'NOPE'"):
        selectors.schedule_get("NOPE")


def test_import_owrs_stores_a_version_rated_like_rateparser(supervisor):
    text = (OWRS_DIR / "coachella-2017-07-01.owrs").read_text()
    version = services.schedule_version_import_owrs(
        text=text, code="W-OWRS", actor=supervisor, as_of=TODAY, source_name="coachella-2017-07-01.owrs"
    )
    assert (version.source_format, version.effective_from, version.source_text) == (
        "owrs",
        dt.date(2017, 7, 1),
        text,
    )
    plan = selectors.rating_plans(
        codes=["W-OWRS"], period_start=dt.date(2026, 10, 29), period_end=dt.date(2026, 11, 28)
    )
    result = rate_period(
        plan=plan["W-OWRS"],
        determinants=Determinants(
            usage_hcf=Decimal(15), customer_class="RESIDENTIAL_SINGLE", meter_size="3/4"
        ),
        period_start=dt.date(2026, 10, 29),
        period_end=dt.date(2026, 11, 28),
    )
    assert result.total == Decimal("36.30")


def test_rate_quote_for_the_quote_page(supervisor):
    """W-RES 3/4" 15 HCF = $36.30 over 30 days ending 2026-11-30; a 10-day quote prorates to $27.30."""
    services.load_demo_schedules_trusted(actor=supervisor, as_of=TODAY)
    quote = services.rate_quote(
        schedule_code="w-res",
        customer_class="residential_single",
        usage_hcf=Decimal(15),
        as_of=dt.date(2026, 11, 30),
        meter_size='3/4"',
    )
    assert (quote.total, quote.total_cents, quote.days) == (Decimal("36.30"), 3630, 30)
    assert (quote.period_start, quote.period_end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [(line.description, line.amount_cents, line.tier) for line in quote.lines] == [
        ('Meter charge (3/4" meter)', 1380, None),
        ("Water usage, tier 1 (0–41 HCF)", 2250, 1),
    ]
    assert quote.as_json()["total"] == "36.30"
    short = services.rate_quote(
        schedule_code="W-RES",
        customer_class="RESIDENTIAL_SINGLE",
        usage_hcf=Decimal(15),
        as_of=dt.date(2026, 11, 28),
        days=10,
        variables={"meter_size": "3/4"},
    )
    assert short.total == Decimal("27.30")
    sewer = services.rate_quote(
        schedule_code="S-MF",
        customer_class="RESIDENTIAL_MULTI",
        usage_hcf=Decimal(0),
        as_of=dt.date(2026, 11, 30),
        variables={"dwelling_units": "4"},
    )
    assert sewer.total == Decimal("167.24")


def test_rate_quote_errors_name_the_field(supervisor):
    services.load_demo_schedules_trusted(actor=supervisor, as_of=TODAY)
    with pytest.raises(ApplicationError) as caught:
        services.rate_quote(
            schedule_code="W-RES",
            customer_class="RESIDENTIAL_SINGLE",
            usage_hcf=Decimal(1),
            as_of=TODAY,
            meter_size="10",
        )
    assert (caught.value.field, caught.value.message) == (
        "meter_size",
        "W-RES: service_charge has no price for meter_size 10",
    )
    with pytest.raises(
        ApplicationError, match="W-RES has no version in effect from 2017-06-01 to 2017-06-30"
    ) as early:
        services.rate_quote(
            schedule_code="W-RES", customer_class="X", usage_hcf=Decimal(1), as_of=dt.date(2017, 6, 30)
        )
    assert early.value.field == "schedule"
    with pytest.raises(NotFoundError):
        services.rate_quote(schedule_code="NOPE", customer_class="X", usage_hcf=Decimal(1), as_of=TODAY)
