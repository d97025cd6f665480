"""Staff user management (issue 11, point 14): an administrator creates staff users, changes their
role, deactivates them and sets a temporary password that must be changed at the next sign-in;
everyone changes their own password. Every change is audited, never with the password."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from civicbill.core import clock
from civicbill.core.accounts import api_token_create
from civicbill.core.models import AuditEvent, StaffProfile
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db
TEMP = "temporary-pass-77"


@pytest.fixture
def admin(make_user: Any) -> User:
    return make_user("Admin", "ada")


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def _sign_in(username: str, password: str) -> tuple[Client, Any]:
    client = Client()
    return client, client.post("/login/", {"username": username, "password": password})


def _actions() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("action", "actor_username", "summary"))


def test_only_an_administrator_sees_the_staff_pages(client: Client, supervisor: Any, admin: User):
    client.force_login(supervisor)
    assert client.get("/staff/").status_code == 403
    with assert_nothing_changed():
        assert client.post("/staff/new/", {"username": "x"}).status_code == 403
    with assert_nothing_changed():
        assert client.post(f"/staff/{admin.pk}/", {"action": "deactivate"}).status_code == 403
    assert "/staff/" not in client.get("/").content.decode()
    client.force_login(admin)
    page = client.get("/staff/")
    assert page.status_code == 200
    assert 'href="/staff/"' in client.get("/").content.decode()


def test_a_new_staff_user_signs_in_with_the_temporary_password_and_must_change_it(admin_client: Client):
    created = admin_client.post(
        "/staff/new/",
        {
            "username": "maria",
            "first_name": "María",
            "last_name": "Soto",
            "role": "CSR",
            "temporary_password": TEMP,
        },
    )
    maria = User.objects.get(username="maria")
    assert created["Location"] == f"/staff/{maria.pk}/"
    assert list(maria.groups.values_list("name", flat=True)) == ["CSR"]
    assert StaffProfile.objects.get(user=maria).must_change_password is True
    assert _actions() == [
        ("staff_user.create", "ada", "Created staff user maria (CSR) with a temporary password")
    ]
    assert TEMP not in str(AuditEvent.objects.get().changes)

    client, signed_in = _sign_in("maria", TEMP)
    assert signed_in.status_code == 302
    assert client.get("/").url == "/account/password/"
    assert client.get("/search/?q=x").url == "/account/password/"
    api = client.get("/api/accounts/?q=x")
    assert (api.status_code, api.json()["code"]) == (403, "password_change_required")
    page = client.get("/account/password/")
    assert "You signed in with a temporary password" in page.content.decode()

    with assert_nothing_changed():
        mismatch = client.post(
            "/account/password/", {"current": TEMP, "new": "mine-and-only-1", "new_again": "x"}
        )
    assert mismatch.status_code == 422
    same = client.post("/account/password/", {"current": TEMP, "new": TEMP, "new_again": TEMP})
    assert "Choose a new password" in same.content.decode()
    wrong = client.post(
        "/account/password/", {"current": "nope", "new": "mine-and-only-1", "new_again": "mine-and-only-1"}
    )
    assert "The current password is not right" in wrong.content.decode()
    done = client.post(
        "/account/password/", {"current": TEMP, "new": "mine-and-only-1", "new_again": "mine-and-only-1"}
    )
    assert done["Location"] == "/"
    assert client.get("/").status_code == 200  # still signed in (session kept)
    assert StaffProfile.objects.get(user=maria).must_change_password is False
    assert _actions()[-1] == ("staff_user.password_change", "maria", "Changed own password")
    assert _sign_in("maria", "mine-and-only-1")[1].status_code == 302


def test_a_weak_or_taken_user_name_or_password_is_refused_and_nothing_is_made(admin_client: Client, csr: Any):
    with assert_nothing_changed():
        taken = admin_client.post(
            "/staff/new/", {"username": "CSR", "role": "CSR", "temporary_password": TEMP}
        )
    assert taken.status_code == 422 and "The user name &#x27;CSR&#x27; is taken" in taken.content.decode()
    with assert_nothing_changed():
        weak = admin_client.post(
            "/staff/new/", {"username": "lee", "role": "CSR", "temporary_password": "password123"}
        )
    assert weak.status_code == 422 and "too common" in weak.content.decode()
    assert not User.objects.filter(username="lee").exists()
    assert _actions() == []


def test_role_change_deactivation_and_temporary_password_are_audited(admin_client: Client, csr: Any):
    url = f"/staff/{csr.pk}/"
    assert admin_client.post(url, {"action": "role", "role": "Supervisor"})["Location"] == url
    assert list(csr.groups.values_list("name", flat=True)) == ["Supervisor"]

    csr_session = Client()
    csr_session.force_login(csr)
    _, token = api_token_create(user=csr, name="script", actor=csr, at=clock.now())
    assert csr_session.get("/").status_code == 200
    assert admin_client.post(url, {"action": "deactivate"})["Location"] == url
    csr.refresh_from_db()
    assert csr.is_active is False
    assert csr_session.get("/").status_code == 302  # their session stops at once
    assert Client().get("/api/accounts/?q=x", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _sign_in("csr", "test-password-1")[1].status_code == 401

    admin_client.post(url, {"action": "activate"})
    admin_client.post(url, {"action": "password", "temporary_password": TEMP})
    assert StaffProfile.objects.get(user=csr).must_change_password is True
    client, signed_in = _sign_in("csr", TEMP)
    assert signed_in.status_code == 302 and client.get("/").url == "/account/password/"
    assert [(action, actor) for action, actor, _ in _actions()] == [
        ("staff_user.role", "ada"),
        ("api_token.create", "csr"),
        ("staff_user.deactivate", "ada"),
        ("staff_user.activate", "ada"),
        ("staff_user.password_reset", "ada"),
    ]
    assert _actions()[0][2] == "csr: role CSR → Supervisor"
    assert all(TEMP not in str(event.changes) + event.summary for event in AuditEvent.objects.all())


def test_the_last_administrator_cannot_be_demoted_or_deactivated(
    admin_client: Client, admin: User, make_user: Any
):
    url = f"/staff/{admin.pk}/"
    with assert_nothing_changed():
        demoted = admin_client.post(url, {"action": "role", "role": "CSR"})
    assert demoted.status_code == 422 and "only active administrator" in demoted.content.decode()
    assert list(admin.groups.values_list("name", flat=True)) == ["Admin"]
    other = make_user("Admin", "grace")
    refused = admin_client.post(url, {"action": "deactivate"}, follow=True)
    assert "You cannot deactivate yourself" in refused.content.decode()
    admin_client.post(f"/staff/{other.pk}/", {"action": "role", "role": "Auditor"})
    assert list(other.groups.values_list("name", flat=True)) == ["Auditor"]
    assert [action for action, _, _ in _actions()] == ["staff_user.role"]


def test_my_tokens_page_makes_a_token_shown_once_and_revokes_it(client: Client, csr: Any, auditor: Any):
    client.force_login(csr)
    made = client.post("/account/tokens/", {"name": "nightly export", "expires_days": "30"})
    assert made.status_code == 200
    page = made.content.decode()
    token = csr.api_tokens.get()
    assert token.name == "nightly export"
    assert (token.expires_at - token.created_at).days == 30
    plain = (
        page.split('<div class="panel" role="status" id="new-token">')[1]
        .split("<code>")[1]
        .split("</code>")[0]
    )
    assert plain.startswith(token.token_prefix)
    assert plain not in client.get("/account/tokens/").content.decode()
    bearer = {"Authorization": f"Bearer {plain}"}
    assert Client().get("/api/accounts/?q=x", headers=bearer).status_code == 200
    with assert_nothing_changed():
        too_long = client.post("/account/tokens/", {"name": "forever", "expires_days": "9999"})
    assert too_long.status_code == 422 and "A token lasts from 1 to 365 days" in too_long.content.decode()
    # someone else cannot revoke it
    other = Client()
    other.force_login(auditor)
    assert other.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{token.pk}/revoke/")["Location"] == "/account/tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/accounts/?q=x", headers=bearer).status_code == 401
    assert [action for action, _, _ in _actions()] == ["api_token.create", "api_token.revoke"]


def test_a_superuser_made_another_role_stops_being_an_administrator(admin_client: Client):
    root = User.objects.create_superuser(username="root", password="root-pass-1234")
    admin_client.post(f"/staff/{root.pk}/", {"action": "role", "role": "Auditor"})
    root.refresh_from_db()
    assert (root.is_superuser, list(root.groups.values_list("name", flat=True))) == (False, ["Auditor"])
    client = Client()
    client.force_login(root)
    assert client.get("/staff/").status_code == 403
