"""``/api/autopay/...`` and ``civicbill ach draft|cancel|returns [--json]``: the same services, the
same refusals, money in cents, bank account numbers masked in every answer."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from civicbill.autopay.models import DraftFile, Enrollment
from civicbill.nacha import read_file
from tests.autopay.conftest import ALL_CLEAR_NUMBERS, DEC_1, DEC_18, DEC_23, Drafted, returns_file

pytestmark = pytest.mark.django_db


def no_clear_numbers(text: str) -> None:
    for clear in (*ALL_CLEAR_NUMBERS, "44445555"):
        assert clear not in text


def test_the_api_enrolls_drafts_imports_returns_and_reports(
    client: Client, make_account: Any, november_bills: Any, technician: Any, at: Any
) -> None:
    account = make_account(usage_hcf=15)
    at(DEC_1)
    client.force_login(technician)
    body = {
        "account": account.number, "routing_number": "121042882", "account_number": "44445555",
        "account_type": "checking", "authorized_on": "2026-12-01", "authorized_by": "Test García",
        "authorization_method": "online", "authorization_reference": "Portal consent 7781",
    }  # fmt: skip
    created = client.post("/api/autopay/enrollments", body, content_type="application/json")
    assert created.status_code == 201, created.content
    enrollment = created.json()
    assert (enrollment["status"], enrollment["bank_account"], enrollment["account"]) == (
        "prenote_pending", "****5555", account.number,
    )  # fmt: skip
    no_clear_numbers(created.content.decode())
    again = client.post("/api/autopay/enrollments", body, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "already_enrolled"
    bad = client.post(
        "/api/autopay/enrollments", {**body, "routing_number": "121042883"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "routing_number"

    prenotes = client.post(
        "/api/autopay/drafts", {"effective_date": "2026-12-03"}, content_type="application/json"
    )
    assert prenotes.status_code == 201 and prenotes.json()["prenote_count"] == 1
    november_bills()
    at(DEC_18)
    client.force_login(technician)  # the session of December 1 has expired
    draft = client.post(
        "/api/autopay/drafts", {"effective_date": "2026-12-21"}, content_type="application/json"
    )
    document = draft.json()
    assert (document["debit_count"], document["total_debit_cents"]) == (1, 7811)
    entry = document["entries"][0]
    assert (entry["kind"], entry["transaction_code"], entry["bank_account"], entry["state"]) == (
        "debit", 27, "****5555", "pending",
    )  # fmt: skip
    duplicate = client.post(
        "/api/autopay/drafts", {"effective_date": "2026-12-21"}, content_type="application/json"
    )
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "duplicate_draft"
    no_clear_numbers(draft.content.decode())
    file_bytes = client.get(f"/api/autopay/drafts/{document['id']}/file").content
    assert read_file(file_bytes).valid and b"44445555" in file_bytes

    at(DEC_23)
    client.force_login(technician)
    draft_entry = DraftFile.objects.get(pk=document["id"]).entries.get()
    content = returns_file([(draft_entry, "R01", "")], on=DEC_23)
    imported = client.post(
        "/api/autopay/returns", {"file": SimpleUploadedFile("r.ach", content, "application/octet-stream")}
    )
    assert imported.status_code == 201
    result = imported.json()
    assert (result["returns"], result["returned_cents"], result["fees_cents"]) == (1, 7811, 2500)
    assert result["items"][0]["outcome"] == "reversed_kept"
    no_clear_numbers(imported.content.decode())
    report = client.get("/api/autopay/reports/monthly?month=2026-12").json()
    assert (report["debit_count"], report["return_count"], report["return_rate_percent"]) == (1, 1, "100.00")
    assert report["returns_by_code"][0]["code"] == "R01"
    assert client.get("/api/autopay/reports/monthly?month=december").status_code == 400
    listing = client.get("/api/autopay/enrollments?status=active").json()
    assert listing["count"] == 1 and listing["enrollments"][0]["bank_account"] == "****5555"
    one = client.get(f"/api/autopay/enrollments/{enrollment['id']}").json()
    assert [event["what"] for event in one["history"]] == [
        "enrolled",
        "prenote_sent",
        "activated",
        "returned",
    ]
    ended = client.post(
        f"/api/autopay/enrollments/{enrollment['id']}/end",
        {"reason": "customer_request"},
        content_type="application/json",
    )
    assert ended.json()["status"] == "ended"


def test_the_api_checks_permissions(client: Client, rosa_account: Any, auditor: Any, at: Any) -> None:
    at(DEC_1)
    client.force_login(auditor)
    assert client.get("/api/autopay/enrollments").status_code == 200
    body = {
        "account": rosa_account.number, "routing_number": "121042882", "account_number": "44445555",
        "account_type": "checking", "authorized_on": "2026-12-01", "authorized_by": "Rosa",
        "authorization_method": "written", "authorization_reference": "Form 12",
    }  # fmt: skip
    refused = client.post("/api/autopay/enrollments", body, content_type="application/json")
    assert refused.status_code == 403 and Enrollment.objects.count() == 0
    assert (
        client.post(
            "/api/autopay/drafts", {"effective_date": "2026-12-03"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.logout()
    assert client.get("/api/autopay/enrollments").status_code == 401


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("ach", *args, stdout=out)
    return out.getvalue()


def test_the_cli_drafts_and_imports_returns_with_json(
    drafted: Drafted, at: Any, tmp_path: Path, technician: Any
) -> None:
    at(DEC_18, 11)
    path = tmp_path / "draft.ach"
    call_command(
        "ach",
        "cancel",
        str(drafted.draft.pk),
        "--reason",
        "redo from the command line",
        "--user",
        "technician",
    )
    with pytest.raises(CommandError, match="Cannot write") as unwritable:
        run("draft", "--date", "2026-12-21", "--out", str(tmp_path / "missing-dir" / "x.ach"))
    assert unwritable.value.returncode == 2
    assert not DraftFile.objects.filter(status="created", effective_date="2026-12-21").exists()  # rolled back
    out = run("draft", "--date", "2026-12-21", "--out", str(path), "--json")
    document = json.loads(out)
    assert (document["debit_count"], document["total_debit_cents"], document["file_id_modifier"]) == (
        3,
        23433,
        "B",
    )
    assert document["out"] == str(path) and document["created_by"] == "autopay"  # the system user
    assert [e["bank_account"] for e in document["entries"]] == ["****6789", "****3210", "****1234"]
    no_clear_numbers(out)
    assert read_file(path.read_bytes(), strict=True).valid
    validate = io.StringIO()
    call_command("ach", "validate", str(path), stdout=validate)  # the NACHA validator still works
    assert validate.getvalue().startswith("draft.ach: valid")

    with pytest.raises(CommandError, match="already exists") as refused:
        run("draft", "--date", "2026-12-21", "--out", str(tmp_path / "again.ach"))
    assert refused.value.returncode == 1 and not (tmp_path / "again.ach").exists()
    with pytest.raises(CommandError, match="not a banking day"):
        run("draft", "--date", "2026-12-26", "--out", str(tmp_path / "sat.ach"))
    at(DEC_23)
    entries = {
        e.account_id: e
        for e in DraftFile.objects.get(status="created", effective_date="2026-12-21").entries.all()
    }
    returned = tmp_path / "returns.ach"
    returned.write_bytes(returns_file([(entries[drafted.ben.pk], "R02", "")], on=DEC_23))
    out = run("returns", str(returned), "--json", "--user", technician.username)
    result = json.loads(out)
    assert (result["returns"], result["returned_cents"], result["fees_cents"]) == (1, 7811, 0)  # R02: no fee
    assert (
        result["items"][0]["outcome"] == "reversed_ended"
        and result["items"][0]["account"] == drafted.ben.number
    )
    no_clear_numbers(out)
    with pytest.raises(CommandError, match="already imported") as twice:
        run("returns", str(returned))
    assert twice.value.returncode == 1
    with pytest.raises(CommandError, match="Cannot read") as missing:
        run("returns", str(tmp_path / "nope.ach"))
    assert missing.value.returncode == 2
