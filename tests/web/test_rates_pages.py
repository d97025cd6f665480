"""Rate schedule pages: the list, a schedule's versions in plain words, a supervisor's new version,
and a quote."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from civicbill.rates.models import RateScheduleVersion
from civicbill.rates.services import load_demo_schedules_trusted
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def demo_rates(frozen, supervisor):
    return load_demo_schedules_trusted(actor=supervisor, as_of=TODAY)


def _new_version_text(effective_from: str, tier_price: str = "1.60") -> str:
    text = RateScheduleVersion.objects.get(schedule__code="W-RES").source_text
    text = text.replace("effective_from: 2017-07-01", f"effective_from: {effective_from}")
    return text.replace("price: 1.50", f"price: {tier_price}")


def test_the_schedules_list_shows_each_schedule_its_classes_and_versions(client: Client, csr, demo_rates):
    client.force_login(csr)
    response = client.get("/rates/")
    assert response.status_code == 200
    page = response.content.decode()
    row = re.search(r'<tr><td><a href="/rates/W-RES/">W-RES</a>.*?</tr>', page, re.S)
    assert row is not None
    assert "RESIDENTIAL_SINGLE" in row.group(0)
    assert "from 2017-07-01" in row.group(0)


def test_a_schedule_page_reads_tiers_as_the_counter_says_them(client: Client, csr, demo_rates):
    client.force_login(csr)
    page = client.get("/rates/W-RES/").content.decode()
    assert "first 41 HCF at $1.50" in page
    assert "above 41 HCF at $1.65" in page
    assert "3/4&quot;: $13.80 per month" in page
    assert "supervisor" in page  # who loaded it
    assert "Add a new version" not in page  # a CSR may not


def test_an_unknown_schedule_is_a_kind_404(client: Client, csr, demo_rates):
    client.force_login(csr)
    response = client.get("/rates/NOPE/")
    assert response.status_code == 404
    assert "There is no rate schedule &#x27;NOPE&#x27;." in response.content.decode()


def test_a_field_worker_may_not_see_rates(client: Client, field_worker, demo_rates):
    client.force_login(field_worker)
    response = client.get("/rates/")
    assert response.status_code == 403
    assert "rates.view" in response.content.decode()


def test_a_supervisor_adds_a_future_version_and_it_shows_as_next(client: Client, supervisor, demo_rates):
    client.force_login(supervisor)
    form = client.get("/rates/W-RES/versions/new/").content.decode()
    assert "effective_from: 2017-07-01" in form  # prefilled with the latest version to edit
    response = client.post("/rates/W-RES/versions/new/", {"text": _new_version_text("2027-01-01")})
    version = RateScheduleVersion.objects.get(schedule__code="W-RES", effective_from=dt.date(2027, 1, 1))
    assert response.status_code == 302
    assert response["Location"] == f"/rates/W-RES/?version={version.pk}"
    assert version.loaded_by == supervisor
    page = client.get(response["Location"]).content.decode()
    assert "first 41 HCF at $1.60" in page
    listing = client.get("/rates/").content.decode()
    row = re.search(r'<tr><td><a href="/rates/W-RES/">W-RES</a>.*?</tr>', listing, re.S)
    assert row is not None and "from 2027-01-01" in row.group(0)


def test_a_version_that_is_not_in_the_future_is_refused_and_nothing_is_stored(
    client: Client, supervisor, demo_rates
):
    client.force_login(supervisor)
    with assert_nothing_changed():
        response = client.post("/rates/W-RES/versions/new/", {"text": _new_version_text("2026-11-01")})
    assert response.status_code == 422
    assert "A new version must take effect after 2026-12-01; 2026-11-01 is not in the future." in (
        response.content.decode()
    )
    assert RateScheduleVersion.objects.filter(schedule__code="W-RES").count() == 1


def test_a_malformed_file_is_refused_with_its_line_next_to_the_text(client: Client, supervisor, demo_rates):
    client.force_login(supervisor)
    text = _new_version_text("2027-01-01").replace("price: 1.65", "price: lots")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if "price: lots" in row)
    with assert_nothing_changed():
        response = client.post("/rates/W-RES/versions/new/", {"text": text})
    assert response.status_code == 422
    page = response.content.decode()
    error = re.search(r'<ul class="errorlist" id="id_text_error" role="alert"><li>(.*?)</li>', page, re.S)
    assert error is not None
    assert error.group(1) == (
        f"pasted text: line {line}: classes.RESIDENTIAL_SINGLE.charges[1].tiers[1].price: "
        "must be a number like 1.50, not &#x27;lots&#x27;"
    )
    assert RateScheduleVersion.objects.filter(schedule__code="W-RES").count() == 1


def test_an_uploaded_file_is_read_like_pasted_text(client: Client, supervisor, demo_rates):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(supervisor)
    upload = SimpleUploadedFile("w-res-2027.yaml", _new_version_text("2027-02-01").encode(), "text/yaml")
    response = client.post("/rates/W-RES/versions/new/", {"file": upload, "text": ""})
    assert response.status_code == 302
    version = RateScheduleVersion.objects.get(schedule__code="W-RES", effective_from=dt.date(2027, 2, 1))
    assert version.source_name == "w-res-2027.yaml"


def test_only_a_supervisor_may_add_a_version(client: Client, technician, demo_rates):
    client.force_login(technician)
    with assert_nothing_changed():
        response = client.post("/rates/W-RES/versions/new/", {"text": _new_version_text("2027-01-01")})
    assert response.status_code == 403
    assert RateScheduleVersion.objects.filter(schedule__code="W-RES").count() == 1


def test_a_quote_shows_the_lines_and_the_total(client: Client, csr, demo_rates):
    client.force_login(csr)
    response = client.get(
        "/rates/quote/",
        {"schedule": "W-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "15", "days": "30",
         "meter_size": '3/4"', "variables": ""},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert '<span data-testid="quote-total">$36.30</span>' in page  # Coachella 3/4" at 15 HCF
    assert "Water usage" in page
    assert '<td class="money">$22.50</td>' in page
    assert '<td class="money">$13.80</td>' in page


def test_a_quote_of_part_of_a_billing_cycle_prorates_by_the_cycle_days(client: Client, csr, demo_rates):
    """The page takes the cycle's days as the CLI (--cycle-days) and the API do: 17 days of a 31-day
    cycle prorate 17/31 exactly, and the page names the factor."""
    from decimal import Decimal

    from civicbill.rates.quotes import rate_quote

    client.force_login(csr)
    response = client.get(
        "/rates/quote/",
        {"schedule": "W-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "15", "days": "17",
         "cycle_days": "31", "meter_size": '3/4"', "variables": ""},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    same = rate_quote(
        schedule_code="W-RES", customer_class="RESIDENTIAL_SINGLE", usage_hcf=Decimal(15), days=17,
        cycle_days=31, meter_size='3/4"', as_of=TODAY,
    )  # fmt: skip
    assert same.total_cents == 30_07  # 15 HCF at 1.50 (tier 1 narrowed to 22.48) + 13.80 × 17/31
    assert '<span data-testid="quote-total">$30.07</span>' in page
    assert '<td class="money">$7.57</td>' in page  # the 3/4" meter charge, prorated
    assert "Prorated 17/31: 17 days of a 31-day cycle." in page
    response = client.get(
        "/rates/quote/",
        {"schedule": "W-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "15", "days": "17",
         "cycle_days": "0", "meter_size": '3/4"'},
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="id_cycle_days_error"' in response.content.decode()


def test_a_quote_with_variables_per_line(client: Client, csr, demo_rates):
    client.force_login(csr)
    response = client.get(
        "/rates/quote/",
        {"schedule": "S-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "15", "days": "",
         "meter_size": "", "variables": "dwelling_units=2\n"},
    )  # fmt: skip
    assert response.status_code == 200
    assert '<span data-testid="quote-total">$83.62</span>' in response.content.decode()


def test_a_quote_error_names_the_field_at_fault(client: Client, csr, demo_rates):
    client.force_login(csr)
    response = client.get(
        "/rates/quote/",
        {"schedule": "W-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "15", "variables": "hhsize 3"},
    )
    assert response.status_code == 422
    assert "Line 1, “hhsize 3”: write it as NAME=VALUE." in response.content.decode()
    response = client.get(
        "/rates/quote/", {"schedule": "W-RES", "customer_class": "RESIDENTIAL_SINGLE", "usage": "15"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_meter_size_error"' in page
    assert "no meter_size was given" in page


def test_the_quote_form_starts_on_the_schedule_it_was_opened_from(client: Client, csr, demo_rates):
    client.force_login(csr)
    response = client.get("/rates/quote/?schedule=W-COM")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="W-COM" selected>' in page
    assert "errorlist" not in page


def test_an_owrs_version_is_shown_as_its_file(client: Client, frozen, supervisor, csr):
    from pathlib import Path

    from civicbill.rates.services import schedule_version_import_owrs

    path = Path(__file__).resolve().parents[1] / "data" / "owrs" / "coachella-2017-07-01.owrs"
    text = path.read_text(encoding="utf-8")
    schedule_version_import_owrs(
        text=text, code="W-OWRS", actor=supervisor, as_of=TODAY, source_name=path.name
    )
    client.force_login(csr)
    page = client.get("/rates/W-OWRS/").content.decode()
    assert (
        "This version was loaded from a file in another format (Open Water Rate Specification); "
        "it is priced as the file below says." in page
    )
    assert "coachella-2017-07-01.owrs" in page
