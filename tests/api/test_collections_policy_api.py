"""/api/collections/policy and /api/collections/aging."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from civicbill.collections.models import CollectionsPolicyVersion
from civicbill.core import clock
from civicbill.core.accounts import api_token_create

pytestmark = pytest.mark.django_db


def bearer(user: Any) -> dict[str, str]:
    _, plain = api_token_create(user=user, name="tests", actor=user, at=clock.now())
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_the_current_policy_and_its_statutes(client: Client, csr: Any, frozen: Any) -> None:
    body = client.get("/api/collections/policy/current", **bearer(csr)).json()
    assert (body["as_of"], body["version"], body["policy"]["penalty_percent"]) == ("2026-12-01", None, "10")
    assert body["statutes"]["shutoff_delinquent_days"] == "Health & Safety Code §116908"


def test_a_supervisor_posts_a_version_and_a_bad_one_lists_its_problems(
    client: Client, supervisor: Any, csr: Any, frozen: Any
) -> None:
    headers = bearer(supervisor)
    bad = client.post(
        "/api/collections/policy/versions",
        content_type="application/json",
        **headers,
        data={"text": "grace_days: 5\npenalty_percent: 12\n", "effective_from": "2027-01-01", "reason": "FY"},
    )
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"], bad.json()["problems"]) == (
        "invalid_policy",
        "text",
        [
            {
                "key": "penalty_percent",
                "line": 2,
                "statute": "Gov. Code §54348",
                "message": "is 12%; a late penalty may be at most 10% of the delinquent charges",
            }
        ],
    )
    good = client.post(
        "/api/collections/policy/versions",
        content_type="application/json",
        **headers,
        data={"text": "grace_days: 7\n", "effective_from": "2027-01-01", "reason": "FY"},
    )
    assert good.status_code == 201 and good.json()["policy"]["grace_days"] == 7
    versions = client.get("/api/collections/policy/versions", **headers).json()
    assert [(v["effective_from"], v["future"]) for v in versions] == [("2027-01-01", True)]
    forbidden = client.post(
        "/api/collections/policy/versions",
        content_type="application/json",
        **bearer(csr),
        data={"text": "grace_days: 7\n", "effective_from": "2027-02-01", "reason": "x"},
    )
    assert forbidden.status_code == 403
    assert CollectionsPolicyVersion.objects.count() == 1


def test_aging_by_account(client: Client, csr: Any, rosa_account: Any) -> None:
    body = client.get(
        "/api/collections/aging", {"as_of": "2026-12-31", "by": "account"}, **bearer(csr)
    ).json()
    assert body["total_cents"] == 9001
    assert body["buckets"]["31_60"] == 9001
    assert [(row["key"], row["total_cents"]) for row in body["rows"]] == [(rosa_account.number, 9001)]
    assert {fund: row["total_cents"] for fund, row in body["funds"].items()} == {"water": 4820, "sewer": 4181}
