"""Benchmark: counter payments posted through the JSON API over HTTP, one at a time (target p95 < 100 ms).

    PYTHONPATH=. .venv/bin/python benchmarks/counter_api.py [--accounts 15000] [--payments 2000] [--reset]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/civicbill_counter_bench PYTHONPATH=. \\
        .venv/bin/python benchmarks/counter_api.py

Without ``DATABASE_URL`` it uses its own SQLite file, ``$CIVICBILL_VAR_DIR/bench-counter.sqlite3``.
The database is migrated here; ``--reset`` drops every table first.

Set-up (not timed, once per database): N accounts on water and sewer, each with half a year of
receivable history posted through ``entries_post_bulk``: an opening balance (May 31), a bill on the
25th of June to November and a payment on the 10th of each month (one account in ten pays half), so
each account owes its November bill and some owe arrears; a cashier (CSR) with a password and a
drawer.

Timed: the script starts ``civicbill runserver --noreload`` (Django's threaded WSGI server, production
settings: ``CIVICBILL_DEBUG=0``) in a child process and talks to it over HTTP/1.1 on one kept-alive
connection, as a counter client would: GET and POST ``/login/`` (CSRF token, session cookie), open a
drawer session (``POST /api/drawer-sessions``), then ``POST /api/payments`` ``--payments`` times, each
with its own ``Idempotency-Key`` header and ``X-CSRFToken``, one after the other. Each request is
timed from sending it to reading the whole response. The mix: cash with change, exact checks, cards,
money orders, split tenders (check or card plus cash), full, partial and over-payments, and a few
payments on two or three accounts. Then: twenty retries with used keys (must return 200 and the
same receipt), ten more payments through Django's test client in this process to count the queries
one takes, the drawer counted and closed through the API (over/short must be zero), the server
stopped, and ``check_books``. The figures go to ``benchmarks/RESULTS.md``.

Each run opens a new drawer session, so it can be run again on the same database (accounts owe less
after each run; the amounts are read from the ledger first). A run must not cross midnight in the
utility's time zone (the session belongs to one business day).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "counter_api"
AT = dt.datetime(2026, 5, 31, 18, 0, tzinfo=dt.UTC)
FIRST = 3_000_001
CASHIER, CASHIER_PASSWORD = "counter-bench", "counter-bench-password-1"
DRAWER = "BENCH-1"
MONTHS = (6, 7, 8, 9, 10, 11)
BANKS = ("Wells Fargo", "Chase", "Bank of America", "El Dorado Savings", "Golden 1 CU")


def setup_django() -> None:
    var = Path(os.environ.get("CIVICBILL_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / 'bench-counter.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
    os.environ.setdefault("CIVICBILL_DEBUG", "0")
    os.environ.setdefault("CIVICBILL_SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("CIVICBILL_HTTPS", "0")  # plain HTTP on the loopback (production runs behind TLS)
    import django

    django.setup()


def reset() -> None:
    from scratch_db import drop_all_tables  # benchmarks/ is on sys.path when a script runs

    drop_all_tables()


# -- set-up -------------------------------------------------------------------------------------------
def water_cents(rng: random.Random) -> int:
    return rng.randrange(2_400, 16_000)


def set_up(count: int, seed: int) -> float:
    """Accounts with half a year of history, the cashier and the drawer. Returns the seconds taken."""
    from django.contrib.auth.models import Group, User

    from civicbill.core.money import Money
    from civicbill.customers.models import Account, Customer, Premise
    from civicbill.customers.normalize import account_number_for
    from civicbill.ledger import chart
    from civicbill.ledger.posting import EntrySpec, PostingLine, conversion_lines
    from civicbill.ledger.services import entries_post_bulk
    from civicbill.payments import services as payment_services

    started = time.perf_counter()
    rng = random.Random(seed)
    supervisor = User.objects.create_user(username="counter-bench-supervisor", password=CASHIER_PASSWORD)
    supervisor.groups.add(Group.objects.get_or_create(name="Supervisor")[0])
    poster = User.objects.create_user(username="counter-bench-conversion", password=CASHIER_PASSWORD)
    poster.groups.add(Group.objects.get_or_create(name="Technician")[0])
    cashier = User.objects.create_user(username=CASHIER, password=CASHIER_PASSWORD)
    cashier.groups.add(Group.objects.get_or_create(name="CSR")[0])
    payment_services.drawer_create(
        location_code="CH", location_name="City Hall counter", code=DRAWER, name="Bench window",
        actor=supervisor,
    )  # fmt: skip
    names = ("García", "Hernández", "López", "Martínez", "Peña", "Smith", "Nguyen", "Rivera", "Baker")
    streets = ("Avenue 48", "Avenue 50", "Grapefruit Blvd", "Cesar Chavez St", "Van Buren St")
    customers = Customer.objects.bulk_create(
        [
            Customer(
                first_name="Ana", last_name=names[n % len(names)], mailing_line1=f"{n} {streets[n % 5]}",
                mailing_city="Coachella", mailing_zip="92236",
                preferred_language="es" if n % 10 == 0 else "en",
                search_name=f"{names[n % len(names)]} ANA".upper(), created_at=AT,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )  # fmt: skip
    premises = Premise.objects.bulk_create(
        [
            Premise(house_number=str(n), street_name=streets[n % 5], city="Coachella", zip_code="92236",
                    created_at=AT)
            for n in range(count)
        ],
        batch_size=2000,
    )  # fmt: skip
    Account.objects.bulk_create(
        [
            Account(
                number=account_number_for(FIRST + n), customer=c, premise=p, status="active",
                opened_on=dt.date(2020, 1, 1), created_at=AT,
            )
            for n, (c, p) in enumerate(zip(customers, premises, strict=True))
        ],
        batch_size=2000,
    )  # fmt: skip
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    # per account: what it owes per service, kept up to date as the history is posted
    owed = {pk: {"water": water_cents(rng), "sewer": 4181} for pk in ids}
    half_payers = {pk for pk in ids if rng.random() < 0.1}
    entries_post_bulk(
        entries=[
            EntrySpec(
                conversion_lines(
                    customer_account_id=pk,
                    balances_by_service={s: Money.from_cents(c) for s, c in owed[pk].items()},
                ),
                dt.date(2026, 5, 31), "conversion", str(pk), f"counter-bench-conversion:{pk}", "conversion",
            )
            for pk in ids
        ],
        actor=poster,
    )  # fmt: skip
    for month in MONTHS:
        paid_on, billed_on = dt.date(2026, month, 10), dt.date(2026, month, 25)
        specs = []
        for pk in ids:
            pays = {s: c // 2 if pk in half_payers else c for s, c in owed[pk].items() if c > 0}
            lines = [
                PostingLine.debit(chart.cash_for(chart.fund_for(s)).code, Money.from_cents(c))
                for s, c in pays.items()
                if c
            ] + [
                PostingLine.credit(
                    chart.receivable_control_for(s).code,
                    Money.from_cents(c),
                    customer_account_id=pk,
                    service=s,
                )
                for s, c in pays.items()
                if c
            ]
            if lines:
                specs.append(
                    EntrySpec(tuple(lines), paid_on, "payment", f"history-{pk}-{month}",
                              f"counter-bench-payment:{pk}:{month}", "lockbox_payment")
                )  # fmt: skip
                for s, c in pays.items():
                    owed[pk][s] -= c
            bill = {"water": water_cents(rng), "sewer": 4181}
            lines = []
            for s, c in bill.items():
                lines += [
                    PostingLine.debit(
                        chart.receivable_control_for(s).code, Money.from_cents(c), customer_account_id=pk,
                        service=s,
                    ),
                    PostingLine.credit(chart.revenue_for(s).code, Money.from_cents(c)),
                ]  # fmt: skip
                owed[pk][s] += c
            specs.append(
                EntrySpec(tuple(lines), billed_on, "bill", f"history-bill-{pk}-{month}",
                          f"counter-bench-bill:{pk}:{month}", "bill")
            )  # fmt: skip
        entries_post_bulk(entries=specs, actor=poster)
        print(f"  set-up: history of {month:02d}/2026 posted ({time.perf_counter() - started:.0f} s)")
    return time.perf_counter() - started


# -- the payments a counter takes ------------------------------------------------------------------------
def dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def cash_handed(cents: int, rng: random.Random) -> int:
    """What a customer hands over for ``cents``: exact, or rounded up to $5, $20 or $100."""
    choice = rng.random()
    step = 500 if choice < 0.3 else 2000 if choice < 0.8 else 10000
    if rng.random() < 0.15:
        return cents
    return (cents // step + 1) * step


def plan_payments(count: int, balances: dict[str, int], seed: int) -> list[dict[str, Any]]:
    """``count`` request bodies over distinct accounts (``balances``: number -> cents owed > 0)."""
    rng = random.Random(seed)
    numbers = sorted(balances)
    rng.shuffle(numbers)
    pool = iter(numbers)
    bodies = []
    for n in range(count):
        how_many = 1 if rng.random() < 0.95 else rng.choice((2, 2, 3))
        accounts = []
        for number in (next(pool) for _ in range(how_many)):
            due = balances[number]
            roll = rng.random()
            if roll < 0.70:
                cents = due
            elif roll < 0.85:
                cents = max(100, due // 200 * 100)  # part, in whole dollars
            elif roll < 0.95:
                cents = (due // 100 + 1) * 100  # rounded up to the dollar: a small credit
            else:
                cents = due + rng.randrange(1000, 5000)  # pays ahead
            accounts.append({"account": number, "amount": dollars(cents)})
        total = sum(int(a["amount"].replace(".", "")) for a in accounts)
        roll = rng.random()
        check = {"check_number": str(rng.randrange(1000, 9999)), "bank_name": rng.choice(BANKS)}
        if roll < 0.45:
            tenders = [{"kind": "cash", "amount": dollars(cash_handed(total, rng))}]
        elif roll < 0.70:
            tenders = [{"kind": "check", "amount": dollars(total), **check}]
        elif roll < 0.80:
            tenders = [
                {"kind": "card", "amount": dollars(total), "card_reference": f"AUTH{rng.randrange(10**6)}"}
            ]
        elif roll < 0.85:
            tenders = [{"kind": "money_order", "amount": dollars(total)}]
        else:  # split: part by check or card, the rest in cash (with change)
            part = max(100, total // 200 * 100) if total > 200 else total - 1
            other = (
                {"kind": "check", "amount": dollars(part), **check}
                if rng.random() < 0.6
                else {
                    "kind": "card",
                    "amount": dollars(part),
                    "card_reference": f"AUTH{rng.randrange(10**6)}",
                }
            )
            tenders = [other, {"kind": "cash", "amount": dollars(cash_handed(total - part, rng))}]
        bodies.append(
            {"accounts": accounts, "tenders": tenders, "payer_name": f"Payer {n}", "_total_cents": total}
        )
    return bodies


# -- an HTTP client that keeps its cookies, as a browser would ------------------------------------------
class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the server closed the kept-alive connection between requests: reconnect once
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return response.status, data, response

    def sign_in(self, username: str, password: str) -> None:
        status, page, _ = self.request("GET", "/login/")
        assert status == 200, status
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, "no CSRF token on the sign-in page"
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": password}
        ).encode()
        status, _, _ = self.request(
            "POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302 and "sessionid" in self.cookies, f"sign-in refused ({status})"

    def api(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        sent = {"Accept": "application/json", "X-CSRFToken": self.cookies.get("csrftoken", ""), **headers}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        status, answer, _ = self.request(method, path, data, sent)
        return status, json.loads(answer) if answer else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, log_path: Path, *, threading: bool) -> subprocess.Popen[bytes]:
    log = log_path.open("wb")
    command = [sys.executable, "-m", "civicbill.cli", "runserver", "--noreload", "--skip-checks"]
    command.append(f"127.0.0.1:{port}")
    if not threading:
        command.append("--nothreading")
    server = subprocess.Popen(  # noqa: S603 - this interpreter and a fixed command
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not start in 60 s: see {log_path}")


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


# -- the run ------------------------------------------------------------------------------------------------
def count_lines(taken: dict[str, int], float_cents: int, checks: int) -> list[dict[str, Any]]:
    """The drawer count that matches what was taken: cash in $1 notes and pennies."""
    cash = float_cents + taken.get("cash", 0)
    counts: list[dict[str, Any]] = [
        {"kind": "cash", "quantity": cash // 100, "denomination": "1.00"},
        {"kind": "cash", "quantity": cash % 100, "denomination": "0.01"},
    ]
    if taken.get("check", 0) or taken.get("money_order", 0):
        counts.append({"kind": "check", "quantity": checks, "amount": dollars(taken.get("check", 0))})
        counts.append({"kind": "money_order", "quantity": 0, "amount": dollars(taken.get("money_order", 0))})
    if taken.get("card", 0):
        counts.append({"kind": "card", "quantity": 0, "amount": dollars(taken["card"])})
    return counts


def close_leftover_session() -> None:
    """A run that stopped half-way leaves the cashier's session open: count it as expected and close it."""
    from django.contrib.auth.models import User

    from civicbill.core import clock
    from civicbill.core.money import Money
    from civicbill.payments import selectors
    from civicbill.payments import services as payment_services

    cashier = User.objects.get(username=CASHIER)
    session = selectors.open_session_of(cashier)
    if session is None:
        return
    taken = selectors.session_tender_totals(session)
    cash = session.starting_float_cents + taken.cash_cents
    counts = [
        payment_services.CountLine("cash", cash // 100, denomination=Money.from_cents(100)),
        payment_services.CountLine("cash", cash % 100, denomination=Money.from_cents(1)),
        payment_services.CountLine("check", taken.check_count, amount=Money.from_cents(taken.check_cents)),
        payment_services.CountLine("card", 0, amount=Money.from_cents(taken.card_cents)),
    ]
    payment_services.drawer_session_close(
        session=session, counts=counts, as_of=clock.now(), actor=cashier, note="left open by a stopped run"
    )
    print(f"closed drawer session {session.pk}, left open by an earlier run that stopped")


def queries_per_payment(bodies: list[dict[str, Any]]) -> tuple[list[int], list[float]]:
    """Post ``bodies`` through Django's test client in this process, counting each one's queries."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=CASHIER))
    counts, times = [], []
    for n, body in enumerate(bodies):
        payload = {k: v for k, v in body.items() if not k.startswith("_")}
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(
                "/api/payments", payload, content_type="application/json",
                headers={"Idempotency-Key": f"inproc-{time.time_ns()}-{n}"},
            )  # fmt: skip
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.content
        counts.append(len(captured.captured_queries))
    return counts, times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=15_000)
    parser.add_argument("--payments", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reset", action="store_true", help="drop every table of the scratch database first")
    parser.add_argument(
        "--threading",
        action="store_true",
        help="runserver's default thread per request (a new database connection each time)",
    )
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    setup_django()
    import django
    from django.core.management import call_command
    from django.db import connection

    from civicbill.customers.models import Account
    from civicbill.ledger.selectors import account_balances, check_books

    if args.reset:
        reset()
    call_command("migrate", interactive=False, verbosity=0)
    if Account.objects.exists():
        setup_s = None
        if Account.objects.count() < args.accounts:
            raise SystemExit("the database holds fewer accounts than --accounts; pass --reset")
    else:
        print(f"set-up: {args.accounts:,} accounts with half a year of history ...")
        setup_s = set_up(args.accounts, args.seed)
    close_leftover_session()
    accounts = dict(Account.objects.order_by("pk").values_list("pk", "number")[: args.accounts])
    balances = {
        accounts[pk]: money.cents for pk, money in account_balances(list(accounts)).items() if money.cents > 0
    }
    extra = 10
    needed = int((args.payments + extra) * 1.2)
    if len(balances) < needed:
        raise SystemExit(f"only {len(balances):,} accounts still owe; pass --reset or more --accounts")
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    journal_lines = connection.cursor()
    journal_lines.execute("select count(*) from ledger_journalline")
    line_count = journal_lines.fetchone()[0]
    journal_lines.close()
    bodies = plan_payments(args.payments + extra, balances, args.seed + int(time.time()) % 1000)
    connection.close()

    port = free_port()
    var = Path(os.environ.get("CIVICBILL_VAR_DIR", ROOT / "var"))
    log_path = var / "bench-counter-server.log"
    load_before = os.getloadavg()
    server = start_server(port, log_path, threading=args.threading)
    try:
        client = Client(port)
        client.sign_in(CASHIER, CASHIER_PASSWORD)
        float_cents = 20_000
        status, session = client.api(
            "POST", "/api/drawer-sessions", {"drawer": DRAWER, "starting_float": "200.00"}
        )
        assert status == 201, session
        run_tag = f"{session['id']}-{int(time.time())}"
        # two warm-up requests (each worker thread's first connection, lazy imports): not counted
        for path in ("/api/drawer-sessions/" + str(session["id"]),) * 2:
            client.api("GET", path)
        cpu_before = process_cpu_s(server.pid)
        times: list[float] = []
        receipts: list[tuple[str, dict[str, Any], str]] = []
        started = time.perf_counter()
        for n, body in enumerate(bodies[: args.payments]):
            payload = {k: v for k, v in body.items() if not k.startswith("_")}
            key = f"bench-{run_tag}-{n}"
            t0 = time.perf_counter()
            status, answer = client.api("POST", "/api/payments", payload, **{"Idempotency-Key": key})
            times.append((time.perf_counter() - t0) * 1000)
            if status != 201 or answer["amount_cents"] != body["_total_cents"]:
                raise SystemExit(f"payment {n} failed: {status} {answer} for {payload}")
            receipts.append((key, payload, answer["receipt_number"]))
            if (n + 1) % 500 == 0:
                print(f"  {n + 1:,} payments, p50 so far {statistics.median(times):.1f} ms")
        wall_s = time.perf_counter() - started
        cpu_after = process_cpu_s(server.pid)
        load_after = os.getloadavg()
        replay_times = []
        for key, payload, receipt in receipts[:: max(1, len(receipts) // 20)][:20]:
            t0 = time.perf_counter()
            status, answer = client.api("POST", "/api/payments", payload, **{"Idempotency-Key": key})
            replay_times.append((time.perf_counter() - t0) * 1000)
            assert status == 200 and answer["receipt_number"] == receipt, (status, answer)
        query_counts, inproc_times = queries_per_payment(bodies[args.payments :])
        connection.close()
        status, shown = client.api("GET", f"/api/drawer-sessions/{session['id']}")
        taken = shown["taken_by_tender_cents"]
        checks = sum(
            1 for _k, payload, _r in receipts for t in payload["tenders"] if t["kind"] == "check"
        ) + sum(1 for body in bodies[args.payments :] for t in body["tenders"] if t["kind"] == "check")
        t0 = time.perf_counter()
        status, closed = client.api(
            "POST", f"/api/drawer-sessions/{session['id']}/close",
            {"counts": count_lines(taken, float_cents, checks), "note": "benchmark"},
        )  # fmt: skip
        close_ms = (time.perf_counter() - t0) * 1000
        assert status == 200 and closed["status"] == "closed", closed
    finally:
        server.terminate()
        server.wait(timeout=30)
    t0 = time.perf_counter()
    report = check_books()
    books_s = time.perf_counter() - t0

    p50, p95, p99 = (percentile(times, f) for f in (0.50, 0.95, 0.99))
    server_cpu = (
        f"{(cpu_after - cpu_before) / args.payments * 1000:.1f} ms"
        if cpu_before is not None and cpu_after is not None
        else "n/a"
    )
    multi = sum(1 for body in bodies[: args.payments] if len(body["accounts"]) > 1)
    split = sum(1 for body in bodies[: args.payments] if len(body["tenders"]) > 1)
    print(
        f"{connection.vendor} {version}: {args.payments:,} payments over HTTP in {wall_s:.1f} s "
        f"({args.payments / wall_s:.1f}/s); p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
        f"max {max(times):.1f} ms, mean {statistics.fmean(times):.1f} ms"
    )
    print(
        f"server CPU per payment {server_cpu}; retries (same key, 200): median "
        f"{statistics.median(replay_times):.1f} ms; queries per payment (in-process test client): "
        f"{min(query_counts)}-{max(query_counts)}, in-process median {statistics.median(inproc_times):.1f} ms"
    )
    print(
        f"drawer closed in {close_ms:.0f} ms, over/short {closed['over_short_cents']} cents; "
        f"check_books: {'ok' if report.ok else 'FAILED'} in {books_s:.1f} s"
    )
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    if args.no_record:
        return
    target = "**met**" if p95 < 100 else "**not met**"
    database = (
        f"PostgreSQL {version.split()[0]}"
        if connection.vendor == "postgresql"
        else f"SQLite {version} (file, WAL)"
    )
    set_up_text = (
        f"made in {setup_s:.0f} s" if setup_s is not None else "kept from an earlier run of this script"
    )
    server_text = (
        "`civicbill runserver --noreload` with `CIVICBILL_DEBUG=0`, threaded (a thread and a database "
        "connection per request, one kept-alive HTTP connection)"
        if args.threading
        else "`civicbill runserver --noreload --nothreading` with `CIVICBILL_DEBUG=0` (one worker, its "
        "database connection kept; a new TCP connection per request)"
    )
    record(
        f"{SECTION}:{connection.vendor}",
        f"### {database}, {args.accounts:,} accounts\n\n"
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}, Django {django.get_version()}; load average (1/5/15 min) "
        f"{load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f} before, "
        f"{load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f} after the payments\n"
        f"- set-up (not timed): {args.accounts:,} accounts with half a year of history "
        f"{set_up_text}; {line_count:,} journal lines before this run\n"
        f"- {args.payments:,} payments ({multi} on several accounts, {split} with split tenders), one at a "
        f"time to {server_text}\n\n"
        "| payments | p50 | p95 | p99 | max | mean | payments/s | server process CPU per payment |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {args.payments:,} | {p50:.1f} ms | **{p95:.1f} ms** | {p99:.1f} ms | {max(times):.1f} ms "
        f"| {statistics.fmean(times):.1f} ms | {args.payments / wall_s:.1f} | {server_cpu} |\n\n"
        f"Target p95 < 100 ms: {target}. Retries with a used key (200, same receipt): median "
        f"{statistics.median(replay_times):.1f} ms. Queries per payment (counted on {len(query_counts)} more "
        f"through Django's test client in the benchmark's process): {min(query_counts)}-{max(query_counts)}. "
        f"Drawer counted and closed through the API in {close_ms:.0f} ms, over/short "
        f"{closed['over_short_cents']} cents; `check_books`: {'ok' if report.ok else 'FAILED'} "
        f"({books_s:.1f} s).\n",
    )


def record(section_key: str, text: str) -> None:
    begin, end = f"<!-- {section_key} -->", f"<!-- /{section_key} -->"
    content = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in content and end in content:
        content = content[: content.index(begin)] + block + content[content.index(end) + len(end) :]
    elif "<!-- /counter_api:notes -->" in content:
        anchor = content.index("<!-- /counter_api:notes -->") + len("<!-- /counter_api:notes -->")
        content = content[:anchor] + "\n\n" + block + content[anchor:]
    else:
        content = (
            content.rstrip()
            + "\n\n## Counter payments through the API (`benchmarks/counter_api.py`)\n\n"
            + block
            + "\n"
        )
    RESULTS.write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main()
