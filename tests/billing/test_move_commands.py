"""``civicbill account move-out`` and ``civicbill account move-in`` (with ``bill final`` after)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicbill.customers.models import Account
from civicbill.meters.models import Read

pytestmark = pytest.mark.django_db
YEAR = tuple((dt.date(2025 + (9 + k) // 12, (9 + k) % 12 + 1, 28), 6_000 + 1_600 * k) for k in range(13))


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_move_out_without_a_read_prints_the_estimate_and_the_next_step(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    account = make_account(reads=YEAR)
    text = run("account", "move-out", account.number, "--date", "2026-11-10", "--user", "csr",
               "--forwarding-address", "PO Box 77, Indio, CA 92201")  # fmt: skip
    assert text.splitlines() == [
        f"Account {account.number} is final: service ended 2026-11-10.",
        "  read 25871.000 on meter TS00000001 on 2026-11-10: estimated",
        "  bills and letters now go to: PO Box 77, Indio, CA 92201",
        f"  next: civicbill bill final {account.number} --user csr",
    ]
    account.refresh_from_db()
    assert account.customer.mailing_city == "Indio"


def test_move_in_prints_the_new_account_number_as_json(cycle: Any, make_account: Any, csr: Any) -> None:
    previous = make_account(reads=YEAR)
    run("account", "move-out", previous.number, "--date", "2026-11-10", "--read", "25800", "--user", "csr")
    body = json.loads(run("account", "move-in", "--premise-of", previous.number, "--customer-name",
                          "María de la Cruz", "--language", "es", "--phone", "760-555-0123",
                          "--date", "2026-11-11", "--user", "csr", "--json"))  # fmt: skip
    tenant = Account.objects.get(number=body["account_number"])
    assert (tenant.customer.first_name, tenant.customer.last_name) == ("María de la", "Cruz")
    assert (tenant.premise_id, tenant.opened_on) == (previous.premise_id, dt.date(2026, 11, 11))
    assert body["read"]["read_on"] == "2026-11-10" and body["read"]["recorded"] is False
    assert body["kind"] == "move_in"


def test_bad_options_are_refused_naming_them_and_nothing_changes(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    account = make_account(reads=YEAR)
    with pytest.raises(CommandError, match="--read 'abc' is not a meter read"):
        run("account", "move-out", account.number, "--date", "2026-11-10", "--read", "abc", "--user", "csr")
    with pytest.raises(CommandError, match="--forwarding-address: 'Indio' is not an address"):
        run("account", "move-out", account.number, "--date", "2026-11-10", "--forwarding-address", "Indio",
            "--user", "csr")  # fmt: skip
    with pytest.raises(CommandError, match="Give --user"):
        run("account", "move-out", account.number, "--date", "2026-11-10")
    account.refresh_from_db()
    assert account.status == "active"
    assert not Read.objects.filter(read_on__gt=dt.date(2026, 10, 28)).exists()


def test_transfer_prints_both_reads_and_takes_them_as_options(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    moving = make_account(reads=YEAR)
    leaving = make_account(reads=YEAR)  # 102 Avenue 50
    run("account", "move-out", leaving.number, "--date", "2026-11-10", "--read", "25800", "--user", "csr")
    text = run("account", "transfer", moving.number, "--date", "2026-11-10", "--house-number", "102",
               "--street", "Avenue 50", "--zip", "92236", "--move-out-read", "25700",
               "--user", "csr")  # fmt: skip
    new = Account.objects.get(customer=moving.customer, premise=leaving.premise)
    assert text.splitlines() == [
        f"Account {moving.number} is final after 2026-11-10; new account {new.number} at 102 Avenue 50.",
        "  move-out read 25700.000 on meter TS00000001 on 2026-11-10: actual",
        "  move-in read 25800.000 on meter TS00000002 on 2026-11-10: actual (already on file)",
    ]
    with pytest.raises(CommandError, match="--move-in-read 'x' is not a meter read"):
        run("account", "transfer", new.number, "--date", "2026-11-20", "--house-number", "101",
            "--street", "Avenue 50", "--zip", "92236", "--move-in-read", "x", "--user", "csr")  # fmt: skip


def test_agreement_set_changes_the_refuse_containers_and_refuses_a_bad_count(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    from civicbill.customers.services import AgreementSpec

    account = make_account(services=(("water", "W-RES"), AgreementSpec("refuse", "R-96GAL", containers=2)))
    text = run("account", "agreement-set", account.number, "--service", "refuse", "--containers", "3",
               "--container-size", "96", "--user", "csr")  # fmt: skip
    assert text.strip() == (
        f"Account {account.number}: refuse (R-96GAL) containers 3, container size 96, service size —."
    )
    body = json.loads(run("account", "agreement-set", account.number, "--service", "refuse",
                          "--containers", "", "--user", "csr", "--json"))  # fmt: skip
    assert (body["containers"], body["container_size"]) == (None, "96")
    with pytest.raises(CommandError, match="--containers 'two' is not a whole number"):
        run("account", "agreement-set", account.number, "--service", "refuse", "--containers", "two",
            "--user", "csr")  # fmt: skip
    with pytest.raises(CommandError, match="Give --containers, --container-size or --service-size"):
        run("account", "agreement-set", account.number, "--service", "refuse", "--user", "csr")
