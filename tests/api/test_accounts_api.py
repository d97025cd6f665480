import datetime as dt
import json

import pytest
from django.test import Client

from civicbill.core import clock
from civicbill.core.accounts import api_token_create
from civicbill.customers.models import Interaction
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _, plain = api_token_create(user=user, name="tests", actor=user, at=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_search_by_phone_with_a_token(client: Client, csr, rosa_account):
    response = client.get("/api/accounts/", {"q": "(760) 555-0142"}, **bearer(csr))
    assert response.status_code == 200
    assert [hit["number"] for hit in response.json()] == [rosa_account.number]
    assert response.json()[0]["customer_name"] == "Rosa Peña"


def test_a_bad_token_is_refused(client: Client, rosa_account):
    with assert_nothing_changed():
        response = client.get("/api/accounts/", {"q": "pena"}, HTTP_AUTHORIZATION="Bearer cb_forged")
    assert response.status_code == 401


def test_show_gives_balance_in_cents_by_service(client: Client, technician, rosa_account):
    client.force_login(technician)
    body = client.get(f"/api/accounts/{rosa_account.number}").json()
    assert body["balance_cents"] == 9001
    assert body["balance_cents_by_service"] == {"sewer": 4181, "water": 4820}
    assert body["customer"]["preferred_language"] == "es"
    assert [t["amount_cents"] for t in body["recent_transactions"]] == [9001]
    assert [s["service"] for s in body["services"]] == ["sewer", "water"]


def test_an_unknown_account_is_a_404_naming_it(client: Client, csr):
    client.force_login(csr)
    response = client.get("/api/accounts/9999999-9")
    assert response.status_code == 404
    assert "9999999-9" in response.json()["detail"]


def test_logging_an_interaction_through_the_api(client: Client, csr, rosa_account):
    response = client.post(
        f"/api/accounts/{rosa_account.number}/interactions",
        json.dumps({"channel": "phone", "subject": "High bill question", "outcome": "Explained tiers"}),
        content_type="application/json",
        **bearer(csr),
    )
    assert response.status_code == 201
    assert response.json()["subject"] == "High bill question"
    listed = client.get(f"/api/accounts/{rosa_account.number}/interactions", **bearer(csr)).json()
    assert [item["subject"] for item in listed] == ["High bill question"]


def test_an_auditor_may_read_but_not_log_and_nothing_is_written(client: Client, auditor, rosa_account):
    token = bearer(auditor)
    with assert_nothing_changed():
        response = client.post(
            f"/api/accounts/{rosa_account.number}/interactions",
            json.dumps({"channel": "phone", "subject": "forged"}),
            content_type="application/json",
            **token,
        )
    assert response.status_code == 403
    assert Interaction.objects.count() == 0


def test_a_session_post_without_csrf_is_refused(csr, rosa_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            f"/api/accounts/{rosa_account.number}/notes",
            json.dumps({"body": "x"}),
            content_type="application/json",
        )
    assert response.status_code == 403


def test_the_openapi_document_lists_the_account_endpoints(client: Client, csr):
    client.force_login(csr)
    schema = client.get("/api/openapi.json").json()
    assert "/api/accounts/{number}" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_transfer_through_the_api_returns_the_new_account(client: Client, csr, rosa_account):
    response = client.post(
        f"/api/accounts/{rosa_account.number}/transfer",
        json.dumps(
            {
                "move_date": "2026-12-10",
                "new_address": {"house_number": "14", "street_name": "Calle Paloma", "zip_code": "92236"},
            }
        ),
        content_type="application/json",
        **bearer(csr),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["premise"]["address"] == "14 Calle Paloma, Coachella, CA 92236"
    assert body["opened_on"] == "2026-12-11"
    assert body["customer"]["name"] == "Rosa Peña"


def test_transfer_through_the_api_records_the_reads_of_the_move(client: Client, csr, cycle, make_account):
    from decimal import Decimal

    from civicbill.meters.models import Read
    from civicbill.meters.services.moves import account_move_out

    year = tuple((dt.date(2025 + (9 + k) // 12, (9 + k) % 12 + 1, 28), 6_000 + 1_600 * k) for k in range(13))
    moving = make_account(reads=year)
    leaving = make_account(reads=year)  # 102 Avenue 50, its meter at 25,200 since Oct 28
    account_move_out(account=leaving, end_date=dt.date(2026, 10, 31), read=Decimal(25_300), actor=csr,
                     as_of=dt.date(2026, 12, 1))  # fmt: skip
    response = client.post(
        f"/api/accounts/{moving.number}/transfer",
        json.dumps({"move_date": "2026-11-10", "move_out_read": "25700", "move_in_read": "25900",
                    "new_address": {"house_number": "102", "street_name": "Avenue 50", "zip_code": "92236"}}),
        content_type="application/json",
        **bearer(csr),
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert body["opened_on"] == "2026-11-11"
    assert (body["move_out"]["account_number"], body["move_out"]["read"]["value"]) == (
        moving.number,
        "25700.000",
    )
    assert (body["move_in"]["account_number"], body["move_in"]["read"]["value"]) == (
        body["number"],
        "25900.000",
    )
    assert Read.objects.filter(read_on=dt.date(2026, 11, 11), value=25_900, source="manual").count() == 1


def test_transfer_with_a_bad_zip_is_refused_naming_the_field(client: Client, csr, rosa_account):
    from civicbill.customers.models import Account

    token = bearer(csr)
    with assert_nothing_changed():
        response = client.post(
            f"/api/accounts/{rosa_account.number}/transfer",
            json.dumps(
                {
                    "move_date": "2026-12-10",
                    "new_address": {"house_number": "14", "street_name": "Calle Paloma", "zip_code": "9223"},
                }
            ),
            content_type="application/json",
            **token,
        )
    assert response.status_code == 400
    assert response.json()["field"] == "zip_code"
    assert Account.objects.count() == 1


def test_an_agreements_determinants_change_through_the_api(client: Client, csr, make_account):
    from civicbill.customers.services import AgreementSpec

    account = make_account(
        services=(("water", "W-RES"), AgreementSpec("refuse", "R-96GAL", containers=2, container_size="96"))
    )
    url = f"/api/accounts/{account.number}/agreements/refuse"
    response = client.post(url, json.dumps({"containers": 3}), content_type="application/json", **bearer(csr))
    assert response.status_code == 200
    body = response.json()
    assert (body["service"], body["containers"], body["container_size"]) == ("refuse", 3, "96")  # size kept
    response = client.post(
        url, json.dumps({"container_size": None}), content_type="application/json", **bearer(csr)
    )
    assert response.json()["container_size"] == ""
    refused = client.post(
        f"/api/accounts/{account.number}/agreements/water",
        json.dumps({"service_size": "4"}),
        content_type="application/json",
        **bearer(csr),
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "service_size"
