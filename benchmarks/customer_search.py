"""Benchmark: the one search box (``account_search``) at 100,000 accounts.

    .venv/bin/python benchmarks/customer_search.py [--accounts 100000] [--samples 60] [--fresh] [--no-record]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_bench \
        .venv/bin/python benchmarks/customer_search.py

Without ``DATABASE_URL`` it uses its own SQLite file, ``var/bench-customer-search.sqlite3``. It
migrates the customers app, bulk-creates synthetic customers, premises, accounts and water/sewer
agreements (``bulk_create``, not the per-row services; the search columns are filled with the same
normalisation functions the services use) until the database holds ``--accounts`` accounts, runs
ANALYZE, then times a mix of searches drawn from the stored rows: exact account number, number
without check digit, name, reversed name, last name alone, address fragment with abbreviations,
street alone, formatted phone, 7-digit local phone, email. It prints the median and 95th percentile
per kind (milliseconds, through the ORM, as a page would call it) and records them in
``benchmarks/RESULTS.md`` (one section per database and size, replaced when re-run).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = words(
    "María José Juan Luis Carlos Ana Rosa Jesús Guadalupe Francisco Miguel Sofía Valentina Camila "
    "Diego Alejandro Fernando Verónica Mónica Raúl Héctor Ramón Martín Andrés Inés Lucía Elena "
    "Beatriz Julián Javier Pedro Pablo Manuel Antonio Alicia Patricia Laura Daniel David Michael "
    "James Robert Mary Linda Jennifer Susan Karen Thomas William Richard Joseph Charles Nancy Lisa "
    "Betty Sandra Donna Kevin Brian"
)
LAST_NAMES = words(
    "García Hernández López Martínez González Rodríguez Pérez Sánchez Ramírez Torres Flores Rivera "
    "Gómez Díaz Reyes Cruz Morales Ortiz Gutiérrez Chávez Ramos Ruiz Mendoza Álvarez Castillo "
    "Jiménez Vásquez Romero Herrera Medina Aguilar Peña Vargas Castro Guzmán Fernández Juárez "
    "Domínguez Núñez Salazar Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor "
    "Thomas Moore Martin Jackson Lee Nguyen Kim Tran Patel Chen Wong O'Brien Müller"
)
BUSINESS_WORDS = words("Desert Valley Palm Sun Oasis Date Mesa Coachella Sierra Golden Star Royal")
BUSINESS_KINDS = words(
    "Market Tires Cafe Laundromat Dental Bakery Church Nursery Motel Carniceria Auto Farms"
)
STREETS = [f"{kind} {number}" for kind in ("Avenue", "Ave") for number in range(40, 64)] + [
    f"{direction}{name} {suffix}"
    for direction in ("", "N ", "S ", "E ", "W ")
    for name, suffix in (
        ("Grapefruit", "Blvd"),
        ("Harrison", "St"),
        ("Palm", "Dr"),
        ("Dillon", "Rd"),
        ("Orchid", "Ln"),
        ("Sage", "Ct"),
        ("Date", "Pl"),
        ("Calle Tampico", ""),
        ("Calle Peña", ""),
        ("Frederick", "St"),
        ("Cesar Chavez", "St"),
        ("Van Buren", "St"),
        ("Tyler", "St"),
        ("Shady", "Ln"),
        ("Bagdad", "Ave"),
        ("Vine", "Ave"),
        ("Jackson", "St"),
        ("Polk", "St"),
        ("Sixth", "St"),
        ("Fourth", "St"),
    )
]
AREA_CODES = ("760", "442", "951")
PREVIOUS_OCCUPANT_SHARE = 20  # one premise in this many also has a former (final) account
BATCH = 5000


def setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-customer-search.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
    import django

    django.setup()


def synthetic_rows(start: int, count: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """Customers, premises and accounts for sequences start+1 .. start+count (lists to bulk-create)."""
    from civicbill.core import clock
    from civicbill.customers.models import Customer, Premise
    from civicbill.customers.normalize import (
        business_search_names,
        format_phone,
        normalize_email,
        person_search_names,
        premise_search_address,
        premise_search_street,
        strip_accents,
    )

    at = clock.now()
    customers, premises = [], []
    for index in range(start, start + count):
        if rng.randrange(20) == 0:
            business = f"{rng.choice(BUSINESS_WORDS)} {rng.choice(BUSINESS_KINDS)}"
            names = business_search_names(business)
            customer = Customer(kind="business", business_name=business, search_name=names[0])
            customer.search_name_reversed = names[1]
            local = re.sub(r"[^a-z]", "", strip_accents(business).lower())
        else:
            first = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            if rng.randrange(8) == 0:
                last = f"{last} {rng.choice(LAST_NAMES)}"  # two surnames
            names = person_search_names(first, last)
            customer = Customer(kind="person", first_name=first, last_name=last, search_name=names[0])
            customer.search_name_reversed = names[1]
            local = re.sub(r"[^a-z.]", "", strip_accents(f"{first}.{last}").lower())
        digits = f"{rng.choice(AREA_CODES)}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}"
        customer.phone, customer.phone_digits, customer.phone_digits_reversed = (
            format_phone(digits),
            digits,
            digits[::-1],
        )
        if rng.randrange(10) < 6:
            customer.email = f"{local}{index}@example.com"
            customer.email_lower = normalize_email(customer.email)
        customer.mailing_line1, customer.mailing_city, customer.mailing_zip = "PO Box 1", "Coachella", "92236"
        customer.created_at = at
        customers.append(customer)

        house, street = str(rng.randrange(1, 99999)), rng.choice(STREETS)
        unit = str(rng.randrange(1, 40)) if rng.randrange(10) == 0 else ""
        premises.append(
            Premise(
                house_number=house,
                street_name=street,
                unit=unit,
                city="Coachella",
                zip_code="92236",
                search_address=premise_search_address(house, street, unit),
                search_street=premise_search_street(house, street, unit),
                created_at=at,
            )
        )
    return customers, premises


def load(target: int, seed: int) -> tuple[int, int]:
    """Bulk-create accounts until there are ``target``; returns (created, milliseconds)."""
    import datetime as dt

    from django.db import connection, transaction
    from django.db.models import Max

    from civicbill.core import clock
    from civicbill.customers.models import Account, ServiceAgreement
    from civicbill.customers.normalize import account_number_for

    existing = Account.objects.count()
    if existing >= target:
        return 0, 0
    highest = Account.objects.aggregate(highest=Max("number"))["highest"] or ""
    sequence = int(highest[:7]) if highest[:7].isdigit() else 1_000_000
    rng = random.Random(seed + existing)
    started = time.perf_counter_ns()
    created = 0
    at = clock.now()
    while existing + created < target:
        count = min(BATCH, target - existing - created)
        customers, premises = synthetic_rows(sequence, count, rng)
        with transaction.atomic():
            type(customers[0]).objects.bulk_create(customers)
            type(premises[0]).objects.bulk_create(premises)
            accounts = []
            for customer, premise in zip(customers, premises, strict=True):
                sequence += 1
                former = (
                    sequence % PREVIOUS_OCCUPANT_SHARE == 0
                    and existing + created + len(accounts) + 1 < target
                )
                if former:  # a previous occupant: moved out before this customer moved in
                    accounts.append(
                        Account(
                            number=account_number_for(sequence),
                            customer=customer,
                            premise=premise,
                            status=Account.Status.FINAL,
                            opened_on=dt.date(2019, 5, 1),
                            closed_on=dt.date(2021, 6, 30),
                            created_at=at,
                        )
                    )
                    sequence += 1
                accounts.append(
                    Account(
                        number=account_number_for(sequence),
                        customer=customer,
                        premise=premise,
                        status=Account.Status.ACTIVE,
                        opened_on=dt.date(2021, 7, 1),
                        created_at=at,
                    )
                )
            Account.objects.bulk_create(accounts)
            ServiceAgreement.objects.bulk_create(
                ServiceAgreement(
                    account=account,
                    service=service,
                    rate_schedule_code=code,
                    start_date=account.opened_on,
                    end_date=account.closed_on,
                    created_at=at,
                )
                for account in accounts
                for service, code in (("water", "W-RES"), ("sewer", "S-RES"))
            )
        created += len(accounts)
        print(f"  {existing + created:>9,} accounts", end="\r", flush=True)
    print()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return created, (time.perf_counter_ns() - started) // 1_000_000


ABBREVIATE = {"AVENUE": "ave", "STREET": "st", "BOULEVARD": "blvd", "DRIVE": "dr", "ROAD": "rd", "LANE": "ln"}


def sample_queries(samples: int, seed: int) -> dict[str, list[str]]:
    """Queries a clerk would type, drawn from stored rows."""
    from civicbill.customers.models import Account
    from civicbill.customers.normalize import normalize_address_words

    rng = random.Random(seed)
    top = Account.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = rng.sample(range(1, top + 1), min(top, samples * 3))
    rows = list(
        Account.objects.filter(id__in=ids)
        .exclude(customer__email="")
        .filter(customer__kind="person")
        .select_related("customer", "premise")[:samples]
    )
    queries: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for account in rows:
        customer, premise = account.customer, account.premise
        words = premise.search_address.split()
        street_words = normalize_address_words(premise.street_name).split()
        queries["account number"].append(account.number)
        queries["number, no check digit"].append(account.number[:7])
        queries["name"].append(f"{customer.first_name} {customer.last_name}".lower())
        queries["reversed name"].append(f"{customer.last_name} {customer.first_name}".upper())
        queries["last name alone"].append(customer.last_name.split()[0].lower())
        queries["address fragment"].append(" ".join(ABBREVIATE.get(word, word.lower()) for word in words[:3]))
        queries["street alone"].append(
            " ".join(ABBREVIATE.get(word, word.lower()) for word in street_words[:3])
        )
        digits = customer.phone_digits
        queries["phone (760) 555-0134"].append(f"({digits[:3]}) {digits[3:6]}-{digits[6:]}")
        queries["phone, 7 digits"].append(f"{digits[3:6]}-{digits[6:]}")
        queries["email"].append(customer.email.upper())
    return queries


KINDS = (
    "account number",
    "number, no check digit",
    "name",
    "reversed name",
    "last name alone",
    "address fragment",
    "street alone",
    "phone (760) 555-0134",
    "phone, 7 digits",
    "email",
)


def ms(nanoseconds: int) -> Decimal:
    return (Decimal(nanoseconds) / Decimal(1_000_000)).quantize(Decimal("0.01"))


def time_queries(queries: dict[str, list[str]]) -> list[tuple[str, int, Decimal, Decimal, Decimal, int]]:
    """(kind, queries, median ms, p95 ms, max ms, mean hits) per kind."""
    from civicbill.customers.selectors import account_search

    for warm_up in (*queries["name"][:5], *queries["account number"][:5]):
        account_search(warm_up)
    results = []
    for kind in KINDS:
        timings, hits = [], 0
        for query in queries[kind]:
            started = time.perf_counter_ns()
            found = account_search(query)
            timings.append(time.perf_counter_ns() - started)
            hits += len(found)
            if kind == "account number":
                assert found and found[0].number == query, (query, found[:1])
        timings.sort()
        count = len(timings)
        p95 = timings[min(count - 1, (count * 95 + 99) // 100 - 1)]
        median = timings[count // 2] if count % 2 else (timings[count // 2 - 1] + timings[count // 2]) // 2
        results.append((kind, count, ms(median), ms(p95), ms(timings[-1]), hits // max(count, 1)))
    return results


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kilobytes // (1024 * 1024)} GiB memory"
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists() and "model name" in cpuinfo.read_text():
        cpu = ", " + cpuinfo.read_text().split("model name")[1].split(":", 1)[1].splitlines()[0].strip()
    return f"{os.cpu_count()} CPUs (nproc){memory}{cpu}; {platform.system()} {platform.release()}"


def database() -> tuple[str, str]:
    """(key, description) of the database in use."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute(
                "SELECT datcollate, datlocprovider, daticulocale FROM pg_database "
                "WHERE datname = current_database()"
            )
            collate, provider, icu = cursor.fetchone()
            collation = f"ICU {icu}" if provider == "i" else collate
            name = connection.settings_dict["NAME"]
            return f"postgresql-{name}", f"PostgreSQL {version} (database {name}, collation {collation})"
        cursor.execute("SELECT sqlite_version()")
        return "sqlite", f"SQLite {cursor.fetchone()[0]} (file, WAL)"


def record(section_key: str, text: str) -> None:
    begin, end = f"<!-- {section_key} -->", f"<!-- /{section_key} -->"
    content = (
        RESULTS.read_text()
        if RESULTS.exists()
        else (
            "# Benchmark results\n\n"
            "Recorded by the scripts in `benchmarks/`; each section says how to reproduce it.\n"
        )
    )
    if begin in content and end in content and "- bulk load:" not in text:
        # the data was already there: keep the load figure the run that created it recorded
        earlier = content[content.index(begin) : content.index(end)]
        loaded = [line for line in earlier.splitlines() if line.startswith("- bulk load:")]
        if loaded:
            head, _, rest = text.partition("\n\n|")
            text = f"{head}\n{loaded[0]}\n\n|{rest}"
    block = f"{begin}\n{text}{end}\n"
    if begin in content and end in content:
        content = content[: content.index(begin)] + block + content[content.index(end) + len(end) + 1 :]
    else:
        content = content.rstrip("\n") + "\n\n" + block
    RESULTS.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--accounts", type=int, default=100_000, help="accounts in the database (default 100,000)"
    )
    parser.add_argument("--samples", type=int, default=60, help="queries timed per kind (default 60)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="delete the SQLite file first (SQLite only)")
    parser.add_argument("--no-record", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()

    sqlite_file = ROOT / "var" / "bench-customer-search.sqlite3"
    if args.fresh and "DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    setup_django()
    from django.core.management import call_command

    from civicbill.core import clock

    call_command("migrate", "customers", verbosity=0)
    key, described = database()
    print(f"{described}: loading {args.accounts:,} accounts")
    created, load_ms = load(args.accounts, args.seed)
    if created:
        print(f"  created {created:,} accounts in {load_ms:,} ms ({created * 1000 // max(load_ms, 1):,}/s)")
    from civicbill.customers.models import Account

    total = Account.objects.count()
    results = time_queries(sample_queries(args.samples, args.seed))

    lines = [
        f"### {described}, {total:,} accounts",
        "",
        f"- date: {clock.now():%Y-%m-%d %H:%M} UTC; machine: {machine()}",
        f"- Python {platform.python_version()}, Django {__import__('django').get_version()}; "
        f"`account_search(query, limit=25)` through the ORM, {args.samples} queries per kind "
        "drawn from stored rows",
    ]
    if created:
        lines.append(
            f"- bulk load: {created:,} accounts (+ customers, premises, 2 agreements each) in {load_ms:,} ms"
        )
    lines += [
        "",
        "| query kind | queries | median ms | p95 ms | max ms | hits (mean) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, count, median, p95, slowest, hits in results:
        lines.append(f"| {kind} | {count} | {median} | {p95} | {slowest} | {hits} |")
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    if not args.no_record:
        record(f"customer_search:{key}:{args.accounts}", report)
        print(f"recorded in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
