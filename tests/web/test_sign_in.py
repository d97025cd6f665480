import datetime as dt

import pytest
import time_machine
from django.test import Client

from civicbill.core.models import LoginFailure

pytestmark = pytest.mark.django_db


def test_every_page_sends_an_anonymous_visitor_to_sign_in(client: Client):
    for path in ("/", "/search/?q=garcia", "/move-in/", "/accounts/1000001-8/", "/ledger/trial-balance/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next="), path


def test_the_api_answers_401_rather_than_redirecting(client: Client):
    assert client.get("/api/accounts/?q=garcia").status_code == 401
    assert client.get("/api/docs").status_code == 302


def test_a_clerk_signs_in_and_lands_on_home(client: Client, csr):
    response = client.post("/login/", {"username": "csr", "password": "test-password-1"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_sign_in_never_redirects_off_site(client: Client, csr):
    response = client.post(
        "/login/", {"username": "csr", "password": "test-password-1", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_five_wrong_passwords_lock_the_user_name_for_fifteen_minutes(client: Client, csr):
    start = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            response = client.post("/login/", {"username": "csr", "password": "wrong"})
            assert response.status_code == 401
            assert "user name or password is not right" in response.content.decode()
        response = client.post("/login/", {"username": "csr", "password": "test-password-1"})
        assert response.status_code == 401
        assert "locked after 5 failed sign-ins" in response.content.decode()
        assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="csr").count() == 5
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        response = client.post("/login/", {"username": "csr", "password": "test-password-1"})
        assert response.status_code == 302


def test_a_field_worker_may_not_open_the_move_in_page(client: Client, field_worker):
    client.force_login(field_worker)
    response = client.get("/move-in/")
    assert response.status_code == 403
    assert "Open an account and start service (move-in)" in response.content.decode()
