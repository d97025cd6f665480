"""The move-out and move-in pages record the read bounding each customer's use and the forwarding address."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from civicbill.customers.models import Account
from civicbill.meters.models import Read

pytestmark = pytest.mark.django_db
YEAR = tuple((dt.date(2025 + (9 + k) // 12, (9 + k) % 12 + 1, 28), 6_000 + 1_600 * k) for k in range(13))


def _moves(account: Account) -> list[tuple[dt.date, Decimal, str]]:
    return list(
        Read.objects.filter(service_point__premise=account.premise, read_on__gt=dt.date(2026, 10, 28))
        .order_by("read_on")
        .values_list("read_on", "value", "status")
    )


def test_the_move_out_page_records_the_read_and_the_forwarding_address(
    client: Client,
    csr: Any,
    cycle: Any,
    make_account: Any,
) -> None:
    account = make_account(reads=YEAR)
    client.force_login(csr)
    page = client.get(f"/accounts/{account.number}/move-out/").content.decode()
    assert "Move-out read" in page and "Forwarding address" in page
    response = client.post(
        f"/accounts/{account.number}/move-out/",
        {"end_date": "2026-11-10", "read": "25800", "mailing_line1": "PO Box 77", "mailing_city": "Indio",
         "mailing_state": "CA", "mailing_zip": "92201"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200, re.findall(
        r'class="errorlist[^>]*>(.*?)</ul>', response.content.decode()
    )
    assert "Read 25,800 on 2026-11-10 recorded." in response.content.decode()
    account.refresh_from_db()
    assert (account.status, account.closed_on) == ("final", dt.date(2026, 11, 10))
    assert account.customer.mailing_address_lines == ["PO Box 77", "Indio, CA 92201"]
    assert _moves(account) == [(dt.date(2026, 11, 10), Decimal(25_800), "actual")]


def test_a_forwarding_address_without_its_city_is_refused_and_nothing_changes(
    client: Client,
    csr: Any,
    cycle: Any,
    make_account: Any,
) -> None:
    account = make_account(reads=YEAR)
    client.force_login(csr)
    response = client.post(
        f"/accounts/{account.number}/move-out/", {"end_date": "2026-11-10", "mailing_line1": "PO Box 77"}
    )
    assert response.status_code == 422
    assert "Needed for a forwarding address." in response.content.decode()
    account.refresh_from_db()
    assert account.status == "active"
    assert _moves(account) == []


def test_the_move_in_page_starts_from_the_move_out_read_or_the_read_typed(
    client: Client,
    csr: Any,
    cycle: Any,
    make_account: Any,
) -> None:
    previous = make_account(reads=YEAR)
    client.force_login(csr)
    client.post(f"/accounts/{previous.number}/move-out/", {"end_date": "2026-11-10"})
    premise = previous.premise
    response = client.post(
        "/move-in/",
        {"kind": "person", "first_name": "Luis", "last_name": "Ortega", "preferred_language": "es",
         "house_number": premise.house_number, "street_name": premise.street_name, "city": premise.city,
         "zip_code": premise.zip_code, "premise_type": "single_family", "dwelling_units": "1",
         "billing_cycle": "1", "mailing_same_as_service": "on", "service_water": "on", "service_sewer": "on",
         "start_date": "2026-11-11", "read": "25880"},
        follow=True,
    )  # fmt: skip
    tenant = Account.objects.get(customer__last_name="Ortega")
    assert tenant.premise_id == premise.pk
    assert "Read 25,880 on 2026-11-11 recorded." in response.content.decode()
    # the move-out was estimated (no read typed), the move-in read typed
    assert _moves(previous) == [
        (dt.date(2026, 11, 10), Decimal(25_871), "estimated"),
        (dt.date(2026, 11, 11), Decimal(25_880), "actual"),
    ]


def test_the_transfer_page_records_the_move_out_and_move_in_reads(
    client: Client, csr: Any, cycle: Any, make_account: Any
) -> None:
    moving = make_account(reads=YEAR)
    from civicbill.meters.services.moves import account_move_out

    leaving = make_account(reads=YEAR)  # 102 Avenue 50, its meter at 25,200 since Oct 28
    account_move_out(account=leaving, end_date=dt.date(2026, 10, 31), read=Decimal(25_300), actor=csr,
                     as_of=dt.date(2026, 12, 1))  # fmt: skip
    leaving_premise = leaving.premise
    client.force_login(csr)
    page = client.get(f"/accounts/{moving.number}/transfer/").content.decode()
    assert "Move-out read at the current address" in page and "Move-in read at the new address" in page
    response = client.post(
        f"/accounts/{moving.number}/transfer/",
        {"move_date": "2026-11-10", "move_out_read": "25700", "move_in_read": "25900",
         "house_number": "102", "street_name": "Avenue 50", "city": "Coachella", "zip_code": "92236",
         "premise_type": "single_family", "dwelling_units": "1", "billing_cycle": "1"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200, re.findall(
        r'class="errorlist[^>]*>(.*?)</ul>', response.content.decode()
    )
    new = Account.objects.get(customer=moving.customer, premise=leaving_premise)
    assert _moves(moving) == [(dt.date(2026, 11, 10), Decimal(25_700), "actual")]
    assert _moves(new) == [
        (dt.date(2026, 10, 31), Decimal(25_300), "actual"), (dt.date(2026, 11, 11), Decimal(25_900), "actual")
    ]  # fmt: skip
    text = response.content.decode()
    assert "Read 25,700 on 2026-11-10 recorded." in text and "Read 25,900 on 2026-11-11 recorded." in text
