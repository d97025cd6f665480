"""A bank account number, once typed, is never seen again in clear: not in any page, not in any
row of any table (audit trail, history, letters, notes, journal memos included), not in any log line
(SQL statements and their parameters included). Only the draft file itself carries it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client

from civicbill.autopay.models import DraftEntry, DraftFile
from tests.autopay.conftest import DEC_1, DEC_3, DEC_18, DEC_21, DEC_23, returns_file

pytestmark = pytest.mark.django_db

CLEAR = "5566778899"
CORRECTED = "4433221100"


def text_values_containing(needle: str) -> list[str]:
    """Every text or JSON value in the database that contains ``needle``, as ``table.column``."""
    found = []
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for field in fields:
            lookup = f"{field.name}__icontains"
            if model.objects.filter(**{lookup: needle}).exists():
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def test_a_bank_account_number_is_seen_only_in_the_draft_file(
    client: Client, make_account: Any, november_bills: Any, technician: Any, at: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    try:
        account = make_account(usage_hcf=15)
        pages: list[str] = []
        at(DEC_1)
        client.force_login(technician)
        response = client.post(
            f"/accounts/{account.number}/autopay/enroll/",
            {"routing_number": "121042882", "account_number": CLEAR, "account_number_again": CLEAR,
             "account_type": "checking", "holder_name": "", "authorized_by": "Test García",
             "authorized_on": "2026-12-01", "authorization_method": "written",
             "authorization_reference": "Form 1"},
        )  # fmt: skip
        assert response.status_code == 302
        client.post("/autopay/drafts/", {"effective_date": DEC_3.isoformat()})
        november_bills()
        at(DEC_18)
        client.force_login(technician)
        client.post("/autopay/drafts/", {"effective_date": DEC_21.isoformat()})
        draft = DraftFile.objects.get(effective_date=DEC_21)
        download = client.get(f"/autopay/drafts/{draft.pk}/download/")
        assert CLEAR.encode() in download.content  # the file for the bank: the one place it is
        at(DEC_23)
        client.force_login(technician)
        entry = DraftEntry.objects.get(draft_file=draft)
        from civicbill.autopay.bank_files import corrected_data

        content = returns_file(
            [(entry, "R01", ""), (entry, "C01", corrected_data("C01", account_number=CORRECTED))], on=DEC_23
        )
        client.post(
            "/autopay/returns/", {"file": SimpleUploadedFile("r.ach", content, "application/octet-stream")}
        )
        for url in (
            f"/accounts/{account.number}/",
            f"/accounts/{account.number}/autopay/",
            "/autopay/",
            "/autopay/drafts/",
            f"/autopay/drafts/{draft.pk}/",
            "/autopay/returns/",
            "/autopay/report/?month=2026-12",
            "/api/autopay/enrollments",
            f"/api/autopay/drafts/{draft.pk}",
            "/api/autopay/returns",
        ):
            page = client.get(url)
            assert page.status_code == 200, url
            pages.append(page.content.decode())
    finally:
        connection.force_debug_cursor = False
    assert any("****8899" in page for page in pages) and any("****1100" in page for page in pages)
    for clear in (CLEAR, CORRECTED):
        assert all(clear not in page for page in pages)
        assert clear not in caplog.text
        assert text_values_containing(clear) == []
    assert "INSERT INTO" in caplog.text  # the SQL really was logged
