"""``/api/rates``: schedules, one schedule with its versions, and a quote."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from civicbill.rates.models import RateScheduleVersion
from civicbill.rates.services import load_demo_schedules_trusted, schedule_version_add
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def demo_rates(frozen, supervisor) -> None:
    load_demo_schedules_trusted(actor=supervisor, as_of=TODAY)
    text = RateScheduleVersion.objects.get(schedule__code="W-RES").source_text
    schedule_version_add(
        code="W-RES",
        text=text.replace("effective_from: 2017-07-01", "effective_from: 2027-01-01"),
        source_name="w-res-2027.yaml",
        actor=supervisor,
        as_of=TODAY,
    )


def _quote(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/rates/quote", body, content_type="application/json")


def test_the_schedules_with_their_current_and_next_versions(client: Client, csr, demo_rates):
    client.force_login(csr)
    rows = {row["code"]: row for row in client.get("/api/rates/schedules").json()}
    assert rows["W-RES"] == {
        "code": "W-RES",
        "service": "water",
        "name": "Residential water (single-family)",
        "classes": ["RESIDENTIAL_SINGLE"],
        "current_version": "2017-07-01",
        "next_version": "2027-01-01",
        "versions": 2,
    }
    assert rows["S-RES"]["next_version"] is None


def test_one_schedule_with_its_versions_and_the_document_in_effect(
    client: Client, csr, supervisor, demo_rates
):
    client.force_login(csr)
    body = client.get("/api/rates/schedules/w-res").json()
    assert body["code"] == "W-RES"
    assert [(v["effective_from"], v["in_effect"], v["future"], v["loaded_by"]) for v in body["versions"]] == [
        ("2017-07-01", True, False, "supervisor"),
        ("2027-01-01", False, True, "supervisor"),
    ]
    tiers = body["document"]["classes"]["RESIDENTIAL_SINGLE"]["charges"][1]["tiers"]
    assert tiers == [{"up_to": "41", "price": "1.50"}, {"up_to": None, "price": "1.65"}]


def test_an_unknown_schedule_is_404(client: Client, csr, demo_rates):
    client.force_login(csr)
    response = client.get("/api/rates/schedules/NOPE")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is no rate schedule 'NOPE'.",
        "code": "not_found",
        "field": "code",
    }


def test_a_quote_prices_coachella_at_15_hcf(client: Client, csr, demo_rates):
    client.force_login(csr)
    response = _quote(
        client,
        {"schedule": "W-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "15", "meter_size": '3/4"'},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == "36.30"
    assert [(line["description"], line["amount"]) for line in body["lines"]] == [
        ('Meter charge (3/4" meter)', "13.80"),
        ("Water usage, tier 1 (0–41 HCF)", "22.50"),
    ]


def test_a_quote_takes_other_variables_by_name(client: Client, csr, demo_rates):
    client.force_login(csr)
    body = _quote(
        client,
        {
            "schedule": "S-RES",
            "customer_class": "RESIDENTIAL_SINGLE",
            "usage": "15",
            "variables": {"dwelling_units": "3"},
        },
    ).json()
    assert body["total"] == "125.43"


def test_a_quote_of_part_of_a_cycle_prorates_and_names_the_factor(client: Client, csr, demo_rates):
    """Issue 13: 17 days of a 31-day cycle: $13.80 × 17/31 = $7.57 + 15 HCF × $1.50 = $30.07."""
    client.force_login(csr)
    body = _quote(
        client,
        {
            "schedule": "W-RES",
            "customer_class": "RESIDENTIAL_SINGLE",
            "usage": "15",
            "meter_size": "3/4",
            "days": 17,
            "cycle_days": 31,
        },
    ).json()
    assert (body["total"], body["proration"], body["cycle_days"]) == ("30.07", "17/31", 31)
    assert [line["detail"]["proration"] for line in body["lines"]] == ["17/31", "17/31"]


def test_a_quote_error_names_the_field(client: Client, csr, demo_rates):
    client.force_login(csr)
    with assert_nothing_changed():
        response = _quote(
            client, {"schedule": "W-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "15"}
        )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "W-RES: service_charge is priced by meter_size, and no meter_size was given",
        "code": "rating_error",
        "field": "meter_size",
    }
    response = _quote(client, {"schedule": "NOPE", "customer_class": "X", "usage": "1"})
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no rate schedule 'NOPE'."


def test_a_negative_usage_is_refused_by_the_schema(client: Client, csr, demo_rates):
    client.force_login(csr)
    with assert_nothing_changed():
        response = _quote(
            client, {"schedule": "W-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "-1"}
        )
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_request", "usage")
    assert [error["field"] for error in body["errors"]] == ["usage"]


def test_a_field_worker_may_not_read_rates(client: Client, field_worker, demo_rates):
    client.force_login(field_worker)
    response = client.get("/api/rates/schedules")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "field may not read rate schedules and quote a bill (rates.view)",
        "code": "permission_denied",
        "field": None,
    }
    with assert_nothing_changed():
        assert _quote(client, {"schedule": "W-RES", "customer_class": "X", "usage": "1"}).status_code == 403


def test_the_routes_appear_in_the_openapi_schema(client: Client, csr):
    client.force_login(csr)
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/rates/schedules",
        "/api/rates/schedules/{code}",
        "/api/rates/quote",
        "/api/bill-runs/",
        "/api/bill-runs/{run_id}",
        "/api/bill-runs/{run_id}/commit",
        "/api/bill-runs/{run_id}/exceptions/{exception_id}/resolve",
        "/api/bills/{number}",
        "/api/bills/{number}/pdf",
        "/api/bills/{number}/cancel-rebill",
    ):
        assert path in paths, path
