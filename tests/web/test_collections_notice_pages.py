"""The notice pages: the runs that sent notices with their print file, a run's notices in mail sort
order linking to each account and each letter, and an account's notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from civicbill.collections.models import CollectionNotice
from tests.collections.test_notice_step import OWING, run_notices
from tests.pdf_helpers import pdf_texts


@pytest.mark.django_db
def test_a_technician_downloads_the_print_file_and_each_letter(
    client: Client, make_account: Any, technician: Any, field_worker: Any
) -> None:
    account = make_account(owing=OWING, language="es")
    ctx = run_notices(dt.date(2027, 1, 14), technician)
    notice = CollectionNotice.objects.get(account=account)
    client.force_login(technician)
    listing = client.get("/collections/notices/").content.decode()
    assert f'href="/collections/notices/runs/{ctx.run.pk}/print.pdf"' in listing
    page = client.get(f"/collections/notices/runs/{ctx.run.pk}/").content.decode()
    assert f'href="/accounts/{account.number}/"' in page
    assert f'href="/collections/notices/{notice.pk}/pdf/"' in page
    assert "2027-02-01" in page and "$90.01" in page
    printed = client.get(f"/collections/notices/runs/{ctx.run.pk}/print.pdf")
    assert printed["Content-Type"] == "application/pdf"
    assert "Aviso final" in " ".join(pdf_texts(printed.content))
    letter = client.get(f"/collections/notices/{notice.pk}/pdf/")
    assert "1 de febrero de 2027" in " ".join(pdf_texts(letter.content))
    mine = client.get(f"/collections/notices/?account={account.number}").content.decode()
    assert f'href="/collections/notices/{notice.pk}/pdf/"' in mine
    assert client.get("/collections/notices/runs/9999/").status_code == 404
    client.force_login(field_worker)
    assert client.get("/collections/notices/").status_code == 403


@pytest.mark.django_db
def test_the_api_lists_notices_with_filters_and_serves_the_pdfs(
    client: Client, make_account: Any, technician: Any
) -> None:
    account = make_account(owing=OWING)
    other = make_account(owing=OWING)
    late = run_notices(dt.date(2026, 12, 7), technician)
    final = run_notices(dt.date(2027, 1, 14), technician)
    client.force_login(technician)
    rows = client.get("/api/collections/notices", {"account": account.number}).json()["notices"]
    assert [(r["kind"], r["amount_delinquent_cents"], r["earliest_shutoff_on"]) for r in rows] == [
        ("final", 9001, "2027-02-01"),
        ("late", 9001, None),
    ]
    finals = client.get("/api/collections/notices", {"kind": "final"}).json()["notices"]
    assert sorted(r["account"] for r in finals) == sorted([account.number, other.number])
    assert len(client.get("/api/collections/notices", {"run": late.run.pk}).json()["notices"]) == 2
    bad = client.get("/api/collections/notices", {"kind": "eviction"})
    assert (bad.status_code, bad.json()["field"]) == (400, "kind")
    runs = client.get("/api/collections/notices/runs").json()["runs"]
    assert [(r["run"], r["notices"]) for r in runs] == [(final.run.pk, 2), (late.run.pk, 2)]
    pdf = client.get(f"/api/collections/notices/runs/{final.run.pk}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(f"/api/collections/notices/{rows[0]['id']}/pdf")["Content-Type"] == "application/pdf"
    assert client.get("/api/collections/notices/999999").status_code == 404
