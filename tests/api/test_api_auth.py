"""Who may call the API, and when CSRF applies (issue 11, point 3).

The rule (civicbill/api/auth.py, docs/api.md): a bearer token authenticates a request by itself and
needs no CSRF token, even when a session cookie comes along (a browser never adds the header on its
own); a bad token is refused with 401 and never falls back to the session; a request without an
``Authorization`` header is a session request and every POST needs the CSRF token.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from civicbill.core import clock
from civicbill.core.accounts import api_token_create
from civicbill.customers.models import Interaction
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


def token_of(user: Any) -> str:
    _, plain = api_token_create(user=user, name="script", actor=user, at=clock.now())
    return plain


def interaction_url(account: Any) -> str:
    return f"/api/accounts/{account.number}/interactions"


BODY = {"channel": "phone", "subject": "High bill question", "outcome": "Explained tiers"}


def test_a_bearer_post_without_a_session_needs_no_csrf_token(csr, rosa_account):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        interaction_url(rosa_account),
        json.dumps(BODY),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_of(csr)}"},
    )
    assert response.status_code == 201, response.content
    assert [(i.subject, i.staff.username) for i in Interaction.objects.all()] == [
        ("High bill question", "csr")
    ]


def test_a_session_post_without_the_csrf_token_is_refused_and_writes_nothing(csr, rosa_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            interaction_url(rosa_account), json.dumps(BODY), content_type="application/json"
        )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Interaction.objects.count() == 0


def test_a_session_post_with_the_csrf_token_is_accepted(csr, rosa_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(csr)
    client.get("/")  # sets the csrftoken cookie, as any page does
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        interaction_url(rosa_account),
        json.dumps(BODY),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content
    assert Interaction.objects.get().staff.username == "csr"


def test_a_valid_bearer_token_wins_over_a_session_cookie_without_csrf(csr, auditor, rosa_account):
    """The header cannot be forged cross-site, so the request is the token's user's, CSRF or not."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)  # an auditor may not log interactions: the session must not be used
    response = client.post(
        interaction_url(rosa_account),
        json.dumps(BODY),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_of(csr)}"},
    )
    assert response.status_code == 201, response.content
    assert Interaction.objects.get().staff.username == "csr"


@pytest.mark.parametrize("header", ["Bearer cb_forged", "Bearer ", "Basic Y3NyOnRlc3Q=", "Token x"])
def test_a_bad_authorization_header_is_refused_even_with_a_session(csr, rosa_account, header):
    """A bad token never falls back to the session cookie sent with it (no CSRF token needed to
    fall back into, and no confusion about who acted)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(csr)
    client.get("/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    with assert_nothing_changed():
        response = client.post(
            interaction_url(rosa_account),
            json.dumps(BODY),
            content_type="application/json",
            headers={"Authorization": header, "X-CSRFToken": token},
        )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert (
        client.get(f"/api/accounts/{rosa_account.number}", headers={"Authorization": header}).status_code
        == 401
    )
    assert Interaction.objects.count() == 0


def _post_operations(client: Client) -> list[str]:
    schema = client.get("/api/openapi.json").json()
    urls = []
    for path, operations in schema["paths"].items():
        if "post" in operations:
            urls.append(re.sub(r"\{[^}]+\}", "1", path))
    return urls


def test_every_post_operation_takes_a_bearer_token_without_csrf(make_user):
    admin = make_user("Admin", "admin")
    supervisor = make_user("Supervisor", "boss")
    reader = Client()
    reader.force_login(admin)
    urls = _post_operations(reader)
    assert len(urls) >= 37
    for user in (admin, supervisor):
        client = Client(enforce_csrf_checks=True)
        bearer = {"Authorization": f"Bearer {token_of(user)}"}
        with assert_nothing_changed():
            for url in urls:
                response = client.post(url, "{}", content_type="application/json", headers=bearer)
                assert response.status_code != 401, url
                assert response.status_code in {400, 403, 404, 409, 422}, (url, response.status_code)
                assert response.json().get("code") != "csrf_failed", url


def test_every_post_operation_refuses_a_session_without_csrf(make_user):
    admin = make_user("Admin", "admin")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    urls = _post_operations(client)
    with assert_nothing_changed():
        for url in urls:
            response = client.post(url, "{}", content_type="application/json")
            assert (response.status_code, response.json()["code"]) == (403, "csrf_failed"), url


# -- a real HTTP client against a live server ----------------------------------------------------------
def _send(url: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_over_real_http_a_bearer_post_works_and_a_session_post_needs_csrf(api_server):
    """Against a real server process: a script's bearer POST is taken; a POST carrying only a
    signed-in session cookie (what a forged cross-site form would send) is refused."""
    number = _first_account(api_server.url, api_server.token("csr"))
    url = f"{api_server.url}/api/accounts/{number}/interactions"
    status, body = _send(url, BODY, {"Authorization": f"Bearer {api_server.token('csr')}"})
    assert status == 201, body
    assert (body["subject"], body["staff"]) == ("High bill question", "csr")

    cookie = _signed_in_cookie(api_server.url, "csr")
    status, body = _send(url, {**BODY, "subject": "forged"}, {"Cookie": cookie})
    assert (status, body["code"]) == (403, "csrf_failed")
    listed = _get(url, {"Authorization": f"Bearer {api_server.token('supervisor')}"})
    assert [item["subject"] for item in listed] == ["High bill question"]


def _get(url: str, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.loads(answer.read())


def _first_account(server: str, token: str) -> str:
    hits = _get(f"{server}/api/accounts/?q=1000001", {"Authorization": f"Bearer {token}"})
    return str(hits[0]["number"])


def _signed_in_cookie(server: str, username: str) -> str:
    """Sign in through the real sign-in page; the session cookie a browser would then hold."""
    from tests.fixtures.server import DEMO_PASSWORD

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{server}/login/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf.group(1), "username": username, "password": DEMO_PASSWORD}
    ).encode()
    opener.open(
        urllib.request.Request(  # noqa: S310
            f"{server}/login/", data=form, headers={"Referer": f"{server}/login/"}
        ),
        timeout=30,
    )
    session = next(c for c in jar if c.name == settings.SESSION_COOKIE_NAME)
    return f"{session.name}={session.value}"
