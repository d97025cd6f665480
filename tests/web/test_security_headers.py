"""Pages carry a Content-Security-Policy without inline scripts and ``Cache-Control: no-store``; a
session idle for 30 minutes is signed out (sliding) (issue 11, point 14)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "civicbill"
AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)


def test_pages_carry_the_policy_and_no_store(client: Client, csr: Any):
    for path in ("/login/", "/healthz"):
        response = client.get(path)
        assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
        assert "no-store" in response["Cache-Control"]
    client.force_login(csr)
    for path in ("/", "/search/?q=garcia", "/api/accounts/?q=garcia"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "script-src 'self';" in response["Content-Security-Policy"], path
    assert (
        "'unsafe-inline'"
        not in settings.CIVICBILL_CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]
    )


def test_no_template_has_an_inline_script_or_event_handler():
    """The policy forbids them, so the browser would ignore them: behaviour lives in static/web/*.js."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
            offenders.append(f"{template.relative_to(TEMPLATES)}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{template.relative_to(TEMPLATES)}: {match.group(0)}")
        if "javascript:" in text:
            offenders.append(f"{template.relative_to(TEMPLATES)}: javascript: URL")
    assert offenders == []


def test_an_idle_session_is_signed_out_after_thirty_minutes_and_activity_slides_it(client: Client, csr: Any):
    with time_machine.travel(AT, tick=False) as clock:
        assert client.post("/login/", {"username": "csr", "password": "test-password-1"}).status_code == 302
        assert client.get("/").status_code == 200
        for _ in range(3):  # 3 x 29 minutes of use, each within the limit: still signed in
            clock.shift(dt.timedelta(minutes=29))
            assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        signed_out = client.get("/search/?q=x")
        assert signed_out.status_code == 302
        assert signed_out["Location"] == "/login/?next=/search/%3Fq%3Dx"
        page = client.get(signed_out["Location"]).content.decode()
        assert "You were signed out after 30 minutes without activity" in page
        assert client.get("/api/accounts/?q=x").status_code == 401
