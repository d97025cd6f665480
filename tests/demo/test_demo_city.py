import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.core.management import call_command

from civicbill.customers.models import Account, Customer
from civicbill.demo.generator import generate_city
from civicbill.demo.seed import demo_city_seed
from civicbill.ledger.selectors import check_books

CONVERSION_DAY = dt.date(2026, 11, 2)
BUILT_ON = dt.date(2026, 11, 2)  # the day demo_city_seed builds the city (it converts the year before)


def test_the_same_seed_gives_the_same_city():
    first = generate_city(accounts=300, seed=5, conversion_date=CONVERSION_DAY)
    again = generate_city(accounts=300, seed=5, conversion_date=CONVERSION_DAY)
    other = generate_city(accounts=300, seed=6, conversion_date=CONVERSION_DAY)
    assert first == again
    assert first != other


def test_the_city_looks_like_a_desert_city():
    city = generate_city(accounts=10_000, seed=1, conversion_date=CONVERSION_DAY)
    types = Counter(account.premise_type for account in city)
    assert types == {"single_family": 8501, "multi_family": 712, "commercial": 494, "irrigation": 293}
    assert Counter(account.preferred_language for account in city)["es"] == 3010
    balances = Counter(
        "zero"
        if not a.opening_balance
        else "credit"
        if any(m.is_negative() for m in a.opening_balance.values())
        else "owing"
        for a in city
    )
    assert balances == {"zero": 7169, "owing": 2324, "credit": 507}


@pytest.mark.django_db
def test_seeding_converts_accounts_and_posts_balanced_opening_balances():
    result = demo_city_seed(accounts=250, seed=3, as_of=BUILT_ON)
    assert result.accounts == 250 == Account.objects.count() == Customer.objects.count()
    assert result.opening_balance_entries > 0
    report = check_books()
    assert report.ok, report


@pytest.mark.django_db
def test_demo_city_refuses_to_seed_over_existing_accounts():
    demo_city_seed(accounts=5, seed=3, as_of=BUILT_ON)
    with pytest.raises(Exception, match="already holds 5 accounts; pass --reset"):
        call_command("demo_city", accounts=5)


@pytest.mark.django_db
def test_the_account_commands_print_json():
    demo_city_seed(accounts=20, seed=3, as_of=BUILT_ON)
    account = Account.objects.order_by("number").first()
    assert account is not None
    out = io.StringIO()
    call_command("account", "show", account.number, "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["number"] == account.number
    assert set(shown) >= {
        "customer",
        "premise",
        "services",
        "balance_cents",
        "balance_cents_by_service",
        "recent_transactions",
    }
    out = io.StringIO()
    call_command("account", "search", account.number, "--json", stdout=out)
    assert [hit["number"] for hit in json.loads(out.getvalue())] == [account.number]


@pytest.mark.django_db
def test_account_transfer_from_the_command_line(csr):
    demo_city_seed(accounts=3, seed=3, as_of=BUILT_ON)
    account = Account.objects.order_by("number").first()
    assert account is not None
    out = io.StringIO()
    call_command(
        "account",
        "transfer",
        account.number,
        "--date",
        "2026-11-20",
        "--house-number",
        "7",
        "--street",
        "Calle Verde",
        "--zip",
        "92236",
        "--user",
        "csr",
        "--json",
        stdout=out,
    )
    moved = json.loads(out.getvalue())
    assert moved["premise"]["address"] == "7 Calle Verde, Coachella, CA 92236"
    assert moved["opened_on"] == "2026-11-21"
    account.refresh_from_db()
    assert account.status == "final"


@pytest.mark.django_db
def test_account_transfer_by_an_unknown_user_is_refused(csr):
    from django.core.management.base import CommandError

    demo_city_seed(accounts=1, seed=3, as_of=BUILT_ON)
    account = Account.objects.get()
    with pytest.raises(CommandError, match="No active user named 'ghost'"):
        call_command(
            "account",
            "transfer",
            account.number,
            "--date",
            "2026-11-20",
            "--house-number",
            "7",
            "--street",
            "Calle Verde",
            "--zip",
            "92236",
            "--user",
            "ghost",
        )
    account.refresh_from_db()
    assert account.status == "active"


@pytest.mark.django_db
def test_the_demo_city_has_meters_with_a_year_of_reads():
    from civicbill.meters.models import Meter, MeterInstallation, Read

    result = demo_city_seed(accounts=60, seed=3, as_of=BUILT_ON)
    water_accounts = sum(
        1
        for demo in generate_city(accounts=60, seed=3, conversion_date=CONVERSION_DAY)
        if any(a.service == "water" for a in demo.agreements)
    )
    assert MeterInstallation.objects.filter(removed_on__isnull=True).count() == water_accounts
    assert result.meters == Meter.objects.count() == water_accounts + 2  # two in stock
    assert Meter.objects.filter(status="in_stock").count() == 2
    per_meter = Counter(Read.objects.filter(source__in=["amr", "ami"]).values_list("meter_id", flat=True))
    # a year of monthly history plus this month's read (imported through validation), now and then one missing
    assert set(per_meter.values()) <= {12, 13, 14}
    assert max(per_meter.values()) == 14
