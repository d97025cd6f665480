"""``civicbill payments import | suspense | suspense-apply | returned-check | refund-*`` end to end."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicbill.customers.models import Account
from civicbill.ledger import selectors as ledger_selectors
from civicbill.payments.models import Refund
from tests.fixtures.payments import books_ok, csv_file

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("payments", *args, stdout=out)
    return out.getvalue()


def test_import_suspense_return_and_refund_from_the_command_line(
    make_account: Any, importer: Any, csr: Any, technician: Any, supervisor: Any, tmp_path: Path
) -> None:
    kim: Account = make_account(last_name="Kim", house="102", owing={"water": "30.00", "refuse": "25.00"})
    file = tmp_path / "lb.csv"
    file.write_bytes(
        csv_file(
            "H,LB0001,2026-12-01",
            f"D,,{kim.number},60.00,1001,,Kim",
            "D,,,7.00,1002,,No Stub",
            "D,bad",
            "T,3,67.00",
        )
    )

    row = json.loads(
        run("import", str(file), "--format", "lockbox-csv", "--user", importer.username, "--json")
    )

    assert (row["posted_count"], row["posted_cents"], row["suspense_count"], row["error_count"]) == (
        1,
        6000,
        1,
        1,
    )
    with pytest.raises(CommandError, match="already imported"):
        run("import", str(file), "--format", "lockbox-csv", "--user", importer.username)
    queue = json.loads(run("suspense", "--json"))["suspense"]
    assert [(item["amount_cents"], item["reason"]) for item in queue] == [(700, "no_identifier")]
    assert "Applied suspense item" in run(
        "suspense-apply", str(queue[0]["item"]), "--account", kim.number, "--user", csr.username
    )
    assert run("suspense") == "The suspense queue is empty.\n"
    assert ledger_selectors.account_balance(kim).cents == -1200
    assert run(
        "refund-request", kim.number, "--amount", "12.00", "--reason", "moved", "--user", csr.username
    ) == (f"Refund {Refund.objects.get().pk} of 12.00 requested for {kim.number}\n")
    refund = Refund.objects.get()
    # the credit comes from lockbox checks of 2026-12-01 (one applied from suspense): the refund waits
    with pytest.raises(CommandError) as held:
        run("refund-approve", str(refund.pk), "--user", supervisor.username)
    assert str(held.value) == (
        f"Refund {refund.pk} of $12.00 waits: the credit comes from money that can still come back: the "
        "$60.00 check of 2026-12-01 clears on 2026-12-15; the $7.00 check of 2026-12-01 clears on "
        "2026-12-15. Of $12.00 of credit, $0.00 has cleared; the refund can be approved on 2026-12-15"
    )
    returned = json.loads(
        run(
            "returned-check",
            f"LB{row['import']}-2",
            "--reason",
            "NSF",
            "--user",
            technician.username,
            "--json",
        )
    )
    assert returned["fee_cents"] == 2500
    # the check bounced before the refund was paid: the city paid nothing out; the returned 60.00 and
    # the 25.00 fee are owed again (less the 12.00 credit)
    assert ledger_selectors.account_balance(kim).cents == 7300
    with pytest.raises(CommandError, match=r"now has only \$0\.00 of credit"):
        run("refund-approve", str(refund.pk), "--user", supervisor.username)
    run("refunds-export", "--out", str(tmp_path / "ap.csv"), "--user", supervisor.username)
    assert (tmp_path / "ap.csv").read_text().count("\n") == 1  # the header: nothing to pay
    books_ok()
