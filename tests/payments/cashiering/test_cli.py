"""``civicbill payments drawers|day-close|receipt|add-drawer``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicbill.core.money import Money
from civicbill.payments import services
from civicbill.payments.services import AccountAmount, CountLine, TenderInput
from tests.fixtures.payments import at

M = Money.parse
pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("payments", *args, stdout=out)
    return out.getvalue()


def test_drawers_and_day_close_from_the_command_line(
    frozen: Any, drawers: Any, ana: Any, supervisor: Any, rosa_account: Any, tmp_path: Path
) -> None:
    session = services.drawer_session_open(
        drawer=drawers[0], starting_float=M("100.00"), as_of=at(8), actor=ana
    )
    paid = services.payment_take(
        session=session,
        accounts=[AccountAmount(rosa_account, M("90.01"))],
        tenders=[TenderInput("cash", M("100.00"))],
        idempotency_key="cli-1",
        as_of=at(9),
        actor=ana,
    )
    listed = json.loads(run("drawers", "--date", "2026-12-01", "--json"))["sessions"]
    assert [(row["drawer"], row["cashier"], row["status"], row["expected_cents"]) for row in listed] == [
        ("CH-1", "ana", "open", None)
    ]
    with pytest.raises(CommandError, match=r"not yet approved: CH-1 \(ana, open\)"):
        run("day-close", "--date", "2026-12-01", "--user", "supervisor")
    services.drawer_session_close(
        session=session,
        counts=[CountLine("cash", 1, denomination=M("100.00")), CountLine("cash", 9, denomination=M("10.00")),
                CountLine("cash", 1, denomination=M("0.01"))],
        as_of=at(17),
        actor=ana,
    )  # fmt: skip
    services.drawer_session_approve(session=session, as_of=at(17), actor=supervisor)
    closed = json.loads(run("day-close", "--date", "2026-12-01", "--user", "supervisor", "--json"))
    assert (closed["payment_count"], closed["receipts_cents"], closed["over_short_cents"]) == (1, 9001, 0)
    assert closed["deposit"] | {"journal_entry": None} == {
        "slip_number": "DEP-20261201",
        "cash_cents": 9001,
        "checks_cents": 0,
        "check_count": 0,
        "card_cents": 0,
        "total_cents": 9001,
        "journal_entry": None,
    }
    slip = run("deposit-slip", "--date", "2026-12-01")
    assert '<td>Total deposit</td><td class="amount">$90.01</td>' in slip
    text = run("drawers")
    assert "CH-1     ana          approved  float $100.00  over/short $0.00" in text
    html_file = tmp_path / "receipt.html"
    run("receipt", paid.receipt_number, "--html", str(html_file), "--language", "en", "--user", "ana")
    assert "REPRINT" in html_file.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="There is no receipt 9-9999"):
        run("receipt", "9-9999", "--user", "ana")
