"""The collections policy page, the supervisor's form (each wrong key shown with its line and
statute), the aging page and the account's collections panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from civicbill.collections.models import CollectionsPolicyVersion
from civicbill.collections.policy import DEFAULT_POLICY
from civicbill.collections.policy_file import policy_to_yaml

pytestmark = pytest.mark.django_db


def test_the_policy_page_shows_each_key_with_its_statute(client: Client, csr: Any, frozen: Any) -> None:
    client.force_login(csr)
    response = client.get("/collections/policy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<tr id="key-penalty_percent"><th scope="row"><code>penalty_percent</code></th><td>10</td>' in html
    assert "Gov. Code §54348" in html and "Health &amp; Safety Code §116908" in html
    assert "Load a new version" not in html  # a CSR may read the policy, not load one


def test_a_supervisor_loads_a_policy_and_a_bad_key_is_shown_with_its_line(
    client: Client, supervisor: Any, frozen: Any
) -> None:
    client.force_login(supervisor)
    form = client.get("/collections/policy/new/")
    assert "grace_days: 5" in form.content.decode()  # prefilled with the policy in force
    text = policy_to_yaml(DEFAULT_POLICY).replace("penalty_percent: 10", "penalty_percent: 12")
    refused = client.post(
        "/collections/policy/new/", {"text": text, "effective_from": "2027-01-01", "reason": "FY 2027"}
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert '<table id="policy-problems" role="alert">' in html
    assert "<tr><td>2</td><td><code>penalty_percent</code></td>" in html
    assert "Gov. Code §54348" in html
    assert CollectionsPolicyVersion.objects.count() == 0
    past = client.post(
        "/collections/policy/new/", {"text": "grace_days: 7\n", "effective_from": "2026-11-30", "reason": "x"}
    )
    assert past.status_code == 422 and "cannot take effect in the past" in past.content.decode()
    stored = client.post(
        "/collections/policy/new/",
        {"text": "grace_days: 7\n", "effective_from": "2027-01-01", "reason": "FY 2027"},
    )
    assert stored.status_code == 302
    assert CollectionsPolicyVersion.objects.get().effective_from == dt.date(2027, 1, 1)


def test_only_a_supervisor_opens_the_load_form(client: Client, technician: Any) -> None:
    client.force_login(technician)
    assert client.get("/collections/policy/new/").status_code == 403


def test_the_aging_page_and_the_account_panel(client: Client, technician: Any, rosa_account: Any) -> None:
    client.force_login(technician)
    page = client.get("/collections/aging/", {"as_of": "2026-12-31", "by": "account"})
    assert page.status_code == 200
    html = page.content.decode()
    # Rosa's opening balance (water 48.20 + sewer 41.81, dated 2026-11-30): 31 days past due on 12-31
    assert f'<a href="/accounts/{rosa_account.number}/">{rosa_account.number}</a>' in html
    assert "$90.01" in html
    panel = client.get(f"/accounts/{rosa_account.number}/collections/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    text = panel.content.decode()
    assert 'id="collections-past-due">$90.01' in text
    assert "Next action (estimate)" in text
    account_page = client.get(f"/accounts/{rosa_account.number}/")
    assert f'hx-get="/accounts/{rosa_account.number}/collections/"' in account_page.content.decode()
