"""The programs pages, the moratorium banner (English and Spanish, only while in force), the JSON API and
the command line of appeals, certifications, contacts and moratoriums."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from civicbill.collections.models import Appeal, Certification, Moratorium, ThirdPartyContact

pytestmark = pytest.mark.django_db
BANNER_EN = (
    "Emergency moratorium in force: Heat emergency (ZIP 92201) until 2026-12-10 — no penalties or shutoffs"
)
BANNER_ES = (
    "Moratoria de emergencia vigente: Heat emergency (código postal 92201) hasta el 2026-12-10 — "
    "sin recargos ni cortes"
)


def _client(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_banner_shows_on_every_staff_page_only_while_a_moratorium_is_in_force(
    frozen: Any, cycle: Any, supervisor: Any, csr: Any, technician: Any
) -> None:
    # today is Tuesday 2026-12-01
    assert BANNER_EN not in _client(csr).get("/").content.decode()
    page = _client(csr).get("/collections/moratoriums/")
    assert page.status_code == 200 and "Declare a moratorium" not in page.content.decode()  # not a supervisor
    refused = _client(technician).post("/collections/moratoriums/", {"action": "declare"})
    assert refused.status_code == 403
    bad = _client(supervisor).post(
        "/collections/moratoriums/",
        {
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-10",
            "scope": "zip",
            "scope_value": "922",
            "reason": "Heat emergency",
        },
    )
    assert bad.status_code == 422 and "The ZIP code &#x27;922&#x27; is 5 digits" in bad.content.decode()
    declared = _client(supervisor).post(
        "/collections/moratoriums/",
        {
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-10",
            "scope": "zip",
            "scope_value": "92201",
            "reason": "Heat emergency",
        },
    )
    assert declared.status_code == 302
    english = _client(csr).get("/").content.decode()
    assert BANNER_EN in english and 'role="status" id="moratorium-banner"' in english
    assert BANNER_ES in _client(csr, "es").get("/collections/moratoriums/").content.decode()
    moratorium = Moratorium.objects.get()
    frozen.move_to(dt.datetime(2026, 12, 11, 17, 0, tzinfo=dt.UTC))
    assert "moratorium-banner" not in _client(csr).get("/").content.decode()
    frozen.move_to(dt.datetime(2026, 12, 2, 17, 0, tzinfo=dt.UTC))
    lifted = _client(supervisor).post(
        "/collections/moratoriums/", {"action": "lift", "row": moratorium.pk, "lifted_on": "2026-12-02"}
    )
    assert lifted.status_code == 302
    assert BANNER_EN.replace("2026-12-10", "2026-12-02") in _client(csr).get("/").content.decode()
    frozen.move_to(dt.datetime(2026, 12, 3, 17, 0, tzinfo=dt.UTC))
    assert "moratorium-banner" not in _client(csr).get("/").content.decode()


def test_staff_open_and_decide_an_appeal_record_certifications_and_contacts_on_the_account_page(
    frozen: Any, make_account: Any, csr: Any, technician: Any, field_worker: Any
) -> None:
    account = make_account()
    url = f"/accounts/{account.number}/collections/programs/"
    assert _client(csr).get(url).status_code == 200
    assert _client(field_worker).post(url, {"action": "appeal_open", "reason": "x"}).status_code == 403
    opened = _client(csr).post(
        url, {"action": "appeal_open", "kind": "bill_review", "bill": "", "reason": "High bill"}
    )
    assert opened.status_code == 302
    appeal = Appeal.objects.get(account=account)
    again = _client(csr).post(url, {"action": "appeal_open", "kind": "appeal", "bill": "", "reason": "Again"})
    assert again.status_code == 422 and "already has a pending bill review" in again.content.decode()
    assert _client(csr).post(url, {"action": "appeal_decide", "row": appeal.pk}).status_code == 403
    decided = _client(technician).post(
        url,
        {"action": "appeal_decide", "row": appeal.pk, "status": "withdrawn", "outcome": "Customer withdrew"},
    )
    assert decided.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_on) == ("withdrawn", dt.date(2026, 12, 1))

    missing = _client(csr).post(url, {"action": "certify", "kind": "medical", "starts_on": "2026-12-01"})
    assert (
        missing.status_code == 422
        and "Name the primary-care provider who certified" in missing.content.decode()
    )
    assert (
        _client(csr)
        .post(
            url, {"action": "certify", "kind": "low_income", "program": "medi_cal", "starts_on": "2026-12-01"}
        )
        .status_code
        == 302
    )
    assert Certification.objects.get(account=account).expires_on == dt.date(2027, 11, 30)
    added = _client(csr).post(
        url,
        {
            "action": "contact_add",
            "reason": "dependent_adult",
            "name": "Luis Pérez",
            "line1": "81-500 Miles Ave",
            "city": "Indio",
            "state": "CA",
            "zip_code": "92201",
            "language": "es",
        },
    )
    assert added.status_code == 302
    spanish = _client(csr, "es").get(url).content.decode()
    assert "Luis Pérez" in spanish and "Contactos de terceros" in spanish
    assert ThirdPartyContact.objects.get(account=account).starts_on == dt.date(2026, 12, 1)


def test_the_api_and_the_command_line(
    frozen: Any, cycle: Any, make_account: Any, csr: Any, supervisor: Any
) -> None:
    account = make_account()
    opened = _client(csr).post(
        f"/api/collections/accounts/{account.number}/appeals",
        {"reason": "Leak"},
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.json()
    refused = _client(csr).post(
        f"/api/collections/appeals/{opened.json()['id']}/decide",
        {"status": "upheld", "outcome": "ok"},
        content_type="application/json",
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    bad = _client(csr).post(
        f"/api/collections/accounts/{account.number}/certifications",
        {"kind": "low_income", "starts_on": "2026-12-01"},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "program")
    listed = _client(csr).get(f"/api/collections/accounts/{account.number}/programs").json()
    assert [(a["kind"], a["status"], a["opened_on"]) for a in listed["appeals"]] == [
        ("bill_review", "pending", "2026-12-01")
    ]
    declared = _client(supervisor).post(
        "/api/collections/moratoriums",
        {
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
            "scope": "cycle",
            "scope_value": "1",
            "reason": "Fire",
        },
        content_type="application/json",
    )
    assert declared.status_code == 201, declared.json()

    out = io.StringIO()
    call_command(
        "collections",
        "moratorium",
        "lift",
        str(declared.json()["id"]),
        "--on",
        "2026-12-05",
        "--user",
        "supervisor",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["lifted_on"] == "2026-12-05"
    out = io.StringIO()
    call_command(
        "collections",
        "certify",
        "medical",
        account.number,
        "--provider",
        "Dr. Soto",
        "--starts",
        "2026-12-01",
        "--user",
        "csr",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["expires_on"] == "2027-05-29"
    out = io.StringIO()
    call_command("collections", "moratorium", "list", "--in-force-on", "2026-12-05", stdout=out)
    assert "2026-12-01 to 2026-12-31  cycle 1  Fire  lifted (last day 2026-12-05)" in out.getvalue()
