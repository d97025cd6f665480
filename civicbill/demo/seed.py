"""Seeding the demo city into the database through the services' bulk paths.

The demo is dated like a real conversion. It is built on ``as_of`` (today): the latest month's reads
(read :data:`READ_LAG_DAYS` days earlier) wait to be billed, and the twelve months before were billed
and paid (:mod:`civicbill.demo.billing`). The legacy system was converted before that history, on
:func:`conversion_date_for` ``as_of``: the accounts, meters and opening balances carry that date, so
every bill, payment and enrollment of the history comes after them, and nothing is dated after
``as_of``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from civicbill.core import clock
from civicbill.core.bulk_rows import insert_rows
from civicbill.core.permissions import TECHNICIAN
from civicbill.customers.conversion import ConversionRow, accounts_convert
from civicbill.customers.models import Account
from civicbill.demo.generator import CITY, DemoAccount, generate_city
from civicbill.demo.meters_generator import DemoMeter, generate_meters, hourly_intervals, read_dates
from civicbill.ledger.posting import EntrySpec, conversion_lines
from civicbill.ledger.services import entries_post_bulk
from civicbill.meters.conversion import MeterRow, meters_convert
from civicbill.meters.models import IntervalRead, Meter, ReadSource
from civicbill.meters.services.reads import reads_import

CONVERSION_USERNAME = "conversion"
CHUNK_SIZE = 2_000
READ_LAG_DAYS = 8  # the latest reads were taken this many days before the demo is built
CONVERSION_HOUR = 8  # the conversion is recorded at 08:00 on the conversion date


def latest_read_on(as_of: dt.date) -> dt.date:
    """The day of the latest month's reads (imported, not billed yet) of a demo built on ``as_of``."""
    return as_of - dt.timedelta(days=READ_LAG_DAYS)


def conversion_date_for(as_of: dt.date) -> dt.date:
    """The day the legacy system was converted, for a demo built on ``as_of``: the first of the month
    of the history's oldest read (the legacy system's last read, from which the first bill of the
    history measures use), so the opening balances come before every bill of the history."""
    return read_dates(latest_read_on(as_of))[0].replace(day=1)


def at_hour(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An instant of ``day`` in the utility's time zone."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.utility_zone())


@dataclass(frozen=True)
class SeedResult:
    accounts: int
    opening_balance_entries: int
    owing_cents: int
    credit_cents: int
    meters: int = 0


def conversion_user() -> User:
    """The system user a conversion is recorded under (cannot sign in)."""
    user, created = User.objects.get_or_create(
        username=CONVERSION_USERNAME,
        defaults={"first_name": "Legacy", "last_name": "conversion", "date_joined": clock.now()},
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get_or_create(name=TECHNICIAN)[0])
    return user


def _row(demo: DemoAccount) -> ConversionRow:
    customer = {
        "kind": demo.kind,
        "first_name": demo.first_name,
        "last_name": demo.last_name,
        "business_name": demo.business_name,
        "phone": demo.phone,
        "email": demo.email,
        "preferred_language": demo.preferred_language,
        "mailing_line1": demo.mailing_line1
        if demo.mailing_differs
        else f"{demo.house_number} {demo.street_name}" + (f" #{demo.unit}" if demo.unit else ""),
        "mailing_city": demo.mailing_city if demo.mailing_differs else CITY,
        "mailing_state": "CA",
        "mailing_zip": demo.mailing_zip if demo.mailing_differs else demo.zip_code,
    }
    premise = {
        "house_number": demo.house_number,
        "street_name": demo.street_name,
        "unit": demo.unit,
        "city": CITY,
        "state": "CA",
        "zip_code": demo.zip_code,
        "parcel_number": demo.parcel_number,
        "premise_type": demo.premise_type,
        "dwelling_units": demo.dwelling_units,
        "billing_cycle": demo.billing_cycle,
        "read_route": demo.read_route,
        "route_sequence": demo.route_sequence,
    }
    return ConversionRow(
        customer=customer,
        premise=premise,
        services=tuple(
            (a.service, a.rate_schedule_code, a.containers, "", a.service_size) for a in demo.agreements
        ),
        opened_on=demo.opened_on,
        paperless=demo.paperless,
        legacy_reference=f"L{demo.sequence}",
    )


def opening_balance_entry(*, account: Account, demo: DemoAccount, conversion_date: dt.date) -> EntrySpec:
    """Dr receivable / Cr conversion equity per service (the reverse for a credit), each fund balanced."""
    lines = conversion_lines(customer_account_id=account.pk, balances_by_service=demo.opening_balance)
    return EntrySpec(
        lines=lines,
        accounting_date=conversion_date,
        source_type="conversion",
        source_ref=f"legacy L{demo.sequence}",
        idempotency_key=f"conversion:{account.number}",
        reason="conversion",
        memo="Opening balance from the legacy billing system",
    )


def demo_city_seed(
    *, accounts: int, seed: int, as_of: dt.date, progress: Callable[[int], None] | None = None
) -> SeedResult:
    """Generate and load ``accounts`` demo accounts with their opening balances and meters, in chunks,
    as converted on :func:`conversion_date_for` ``as_of`` (the day the demo is built)."""
    conversion_date = conversion_date_for(as_of)
    with clock.replaying(at_hour(conversion_date, CONVERSION_HOUR)):
        actor = conversion_user()
    city = generate_city(accounts=accounts, seed=seed, conversion_date=conversion_date)
    entries = 0
    premise_of: dict[int, int] = {}
    for start in range(0, len(city), CHUNK_SIZE):
        chunk = city[start : start + CHUNK_SIZE]
        with transaction.atomic(), clock.replaying(at_hour(conversion_date, CONVERSION_HOUR)):
            created = accounts_convert(
                rows=[_row(demo) for demo in chunk], as_of=conversion_date, actor=actor
            )
            premise_of.update(
                {demo.sequence: account.premise_id for demo, account in zip(chunk, created, strict=True)}
            )
            specs = [
                opening_balance_entry(account=account, demo=demo, conversion_date=conversion_date)
                for account, demo in zip(created, chunk, strict=True)
                if demo.opening_balance
            ]
            entries += entries_post_bulk(entries=specs, actor=actor)
        if progress:
            progress(len(chunk))
    meters = _seed_meters(city=city, premise_of=premise_of, seed=seed, as_of=as_of, actor=actor)
    owing = sum(a.cents for demo in city for a in demo.opening_balance.values() if a.is_positive())
    credit = -sum(a.cents for demo in city for a in demo.opening_balance.values() if a.is_negative())
    return SeedResult(
        accounts=len(city),
        opening_balance_entries=entries,
        owing_cents=owing,
        credit_cents=credit,
        meters=meters,
    )


def _seed_meters(
    *, city: list[DemoAccount], premise_of: dict[int, int], seed: int, as_of: dt.date, actor: User
) -> int:
    """Meters with 12 months of accepted history (the 13th month's reads come through the real import)."""
    by_sequence = {demo.sequence: demo for demo in city}
    conversion_date = conversion_date_for(as_of)
    demo_meters = generate_meters(accounts=city, seed=seed, last_read_on=latest_read_on(as_of))
    rows = []
    for m in demo_meters:
        demo = by_sequence.get(m.account_sequence) if m.account_sequence else None
        rows.append(
            MeterRow(
                serial_number=m.serial_number,
                make=m.make,
                model=m.model,
                size=m.size,
                meter_type=m.meter_type,
                dials=m.dials,
                read_unit=m.read_unit,
                endpoint_id=m.endpoint_id,
                premise_id=premise_of[demo.sequence] if demo else None,
                read_route=demo.read_route if demo else "",
                route_sequence=demo.route_sequence if demo else 0,
                installed_on=m.installed_on,
                install_read=m.install_read,
                reads=tuple((r.read_on, r.value) for r in m.reads),
                read_source=ReadSource.AMI if m.meter_type == "ami" else ReadSource.AMR,
                estimated_reads=frozenset(m.estimated_on),
            )
        )
    # recorded when the demo is built, not replayed at the conversion: the rows hold the year of
    # reads since (each dated its read day), and no row is recorded before what it records
    created = 0
    for start in range(0, len(rows), CHUNK_SIZE):
        created += meters_convert(
            rows=rows[start : start + CHUNK_SIZE], received_on=conversion_date, actor=actor
        )
    _seed_intervals(demo_meters=demo_meters, as_of=as_of, seed=seed)
    # this month's reads go through the real import and validation, so the exceptions queue is real
    lines = ["meter_serial,read_date,read_value,source"] + [
        f"{m.serial_number},{m.latest_read.read_on.isoformat()},{m.latest_read.value},"
        f"{'ami' if m.meter_type == 'ami' else 'amr'}"
        for m in demo_meters
        if m.latest_read is not None
    ]
    reads_import(
        content="\n".join(lines).encode(),
        file_name=f"demo-reads-{latest_read_on(as_of):%Y-%m}.csv",
        file_format="csv",
        actor=actor,
        as_of=as_of,
    )
    return created


AMI_PROFILE_METERS = 100


def _seed_intervals(*, demo_meters: list[DemoMeter], as_of: dt.date, seed: int) -> int:
    """A week of hourly AMI data for a hundred AMI meters (and every leaking one), so the
    account page's hourly chart and the leak flag have something real to show."""
    ami = [m for m in demo_meters if m.meter_type == "ami" and m.account_sequence]
    chosen = [m for m in ami if m.leak] + [m for m in ami if not m.leak][:AMI_PROFILE_METERS]
    ids = dict(
        Meter.objects.filter(serial_number__in=[m.serial_number for m in chosen]).values_list(
            "serial_number", "id"
        )
    )
    end = clock.start_of_day(as_of)  # the week up to the day the demo is built
    rows = [
        (ids[m.serial_number], at, units)
        for m in chosen
        for at, units in hourly_intervals(m, end=end, seed=seed)
    ]
    return insert_rows(IntervalRead, ("meter_id", "interval_start", "consumption"), rows)
