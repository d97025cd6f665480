"""Move-out and move-in with their reads (meters.services.moves): the read given, a read on file, or an
estimate marked so; a forwarding address the final bill is mailed to; refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.billing.documents import bill_document
from civicbill.billing.models import Bill
from civicbill.billing.services import bill_run_commit, bill_run_start, bill_run_trial, final_bill_issue
from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.customers.models import Account
from civicbill.ledger.selectors import check_books
from civicbill.meters.models import Read
from civicbill.meters.services.moves import account_move_in, account_move_out, services_at
from civicbill.meters.services.reads import read_record
from tests.fixtures.billing import NOV

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)
MOVE_OUT = dt.date(2026, 11, 10)
MOVE_IN = dt.date(2026, 11, 11)
# a year of monthly reads, 16 HCF (1,600 CF) a month: Oct 28 2025 at 6,000 ... Oct 28 2026 at 25,200
YEAR = tuple((dt.date(2025 + (9 + k) // 12, (9 + k) % 12 + 1, 28), 6_000 + 1_600 * k) for k in range(13))
FORWARDING = {
    "mailing_line1": "PO Box 77",
    "mailing_line2": "",
    "mailing_city": "Indio",
    "mailing_state": "CA",
    "mailing_zip": "92201",
}


def _run(period: dt.date, technician: Any, as_of: dt.date) -> None:
    run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=as_of)
    bill_run_trial(run_id=run.pk, actor=technician, as_of=as_of)
    bill_run_commit(run_id=run.pk, actor=technician, as_of=as_of)


def _tenant(previous: Account, *, read: Decimal | None, csr: Any, start: dt.date = MOVE_IN) -> Any:
    return account_move_in(
        data={"kind": "person", "first_name": "Luis", "last_name": "Ortega", "preferred_language": "es",
              "start_date": start, "mailing_same_as_service": True},
        services=services_at(previous),
        premise=previous.premise,
        read=read,
        actor=csr,
        as_of=TODAY,
    )  # fmt: skip


def _reads(account: Account) -> list[tuple[dt.date, Decimal, str, str]]:
    return list(
        Read.objects.filter(service_point__premise=account.premise, read_on__gt=dt.date(2026, 10, 28))
        .order_by("read_on", "id")
        .values_list("read_on", "value", "source", "status")
    )


def test_move_out_with_a_read_records_it_and_mails_the_final_bill_to_the_forwarding_address(
    cycle: Any, make_account: Any, csr: Any, technician: Any
) -> None:
    account = make_account(reads=YEAR)
    _run(dt.date(2026, 10, 1), technician, dt.date(2026, 11, 1))
    result = account_move_out(
        account=account, end_date=MOVE_OUT, read=Decimal(25_800), forwarding_address=FORWARDING, actor=csr,
        as_of=TODAY,
    )  # fmt: skip

    assert result.as_dict() == {
        "account_number": account.number,
        "kind": "move_out",
        "status": "final",
        "customer_name": "Test García",
        "service_address": account.premise.address_line,
        "date": "2026-11-10",
        "read": {
            "read_on": "2026-11-10", "value": "25800.000", "meter_serial": "TS00000001", "source": "manual",
            "status": "actual", "estimated": False, "held_for_review": False, "consumption_hcf": "6.000",
            "recorded": True,
        },
        "read_note": "",
        "forwarding_address": ["PO Box 77", "Indio, CA 92201"],
    }  # fmt: skip
    assert _reads(account) == [(MOVE_OUT, Decimal(25_800), "manual", "actual")]
    actions = set(AuditEvent.objects.filter(account_number=account.number).values_list("action", flat=True))
    assert actions == {"account.open", "account.close", "account.forwarding_address", "read.move_out"}
    assert AuditEvent.objects.filter(action="customer.update").count() == 1
    final = final_bill_issue(account_number=account.number, actor=csr, as_of=dt.date(2026, 11, 12))
    assert final.consumption_hcf == 6
    document = bill_document(bill_number=final.number)
    assert document.mailing_lines == ("PO Box 77", "Indio, CA 92201")
    assert check_books().ok


def test_move_out_without_a_read_estimates_it_from_the_same_period_last_year_and_marks_it(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    account = make_account(reads=YEAR)
    result = account_move_out(account=account, end_date=MOVE_OUT, read=None, actor=csr, as_of=TODAY)

    # 16 HCF over the 31 days of Oct 28 - Nov 28 2025, × 13 days = 6.71 HCF: 671 CF
    assert _reads(account) == [(MOVE_OUT, Decimal(25_871), "estimated", "estimated")]
    read = result.as_dict()["read"]
    assert (read["estimated"], read["consumption_hcf"], read["recorded"]) == (True, "6.710", True)
    assert Read.objects.get(read_on=MOVE_OUT).note.startswith(
        f"Move-out read of account {account.number}. "
        "Estimated: 0.516 HCF/day × 13 days (same period last year)"
    )
    event = AuditEvent.objects.get(action="read.move_out")
    assert event.summary == "Move-out read 25,871 on meter TS00000001 on 2026-11-10: estimated (6.710 HCF)"


def test_a_tenant_moving_in_the_day_after_a_move_out_starts_from_that_read_and_true_up_follows(
    cycle: Any, make_account: Any, csr: Any, technician: Any
) -> None:
    previous = make_account(reads=YEAR)
    _run(dt.date(2026, 10, 1), technician, dt.date(2026, 11, 1))  # October billed: the final bill follows it
    account_move_out(account=previous, end_date=MOVE_OUT, read=None, actor=csr, as_of=TODAY)
    result = _tenant(previous, read=None, csr=csr)

    tenant = result.account
    assert (tenant.opened_on, tenant.status, tenant.customer.preferred_language) == (MOVE_IN, "active", "es")
    assert [(a.service, a.rate_schedule_code) for a in tenant.agreements.order_by("service")] == [
        ("sewer", "S-RES"), ("water", "W-RES"),
    ]  # fmt: skip
    assert result.read is not None and not result.read.recorded  # the move-out read of Nov 10
    assert result.read.read.read_on == MOVE_OUT
    assert len(_reads(previous)) == 1
    cycle_read = read_record(meter_serial="TS00000001", read_on=dt.date(2026, 11, 28), value=Decimal(26_800),
                             source="manual", actor=technician, as_of=dt.date(2026, 11, 28))  # fmt: skip
    # the actual read trues up: 16 HCF since Oct 28 less the 6.71 estimated
    assert cycle_read.consumption_hcf == Decimal("9.290")
    final = final_bill_issue(account_number=previous.number, actor=csr, as_of=dt.date(2026, 11, 29))
    _run(NOV, technician, TODAY)
    first = Bill.objects.get(account=tenant)
    assert (final.consumption_hcf, first.consumption_hcf) == (Decimal("6.710"), Decimal("9.290"))
    assert final.consumption_hcf + first.consumption_hcf == 16
    assert check_books().ok


def test_a_move_in_with_no_read_nearby_gets_an_estimated_start_read(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    previous = make_account(reads=YEAR)
    account_move_out(account=previous, end_date=dt.date(2026, 11, 1), read=Decimal(25_400), actor=csr,
                     as_of=TODAY)  # fmt: skip
    result = _tenant(previous, read=None, csr=csr, start=MOVE_IN)

    assert result.read is not None and result.read.recorded and result.read.estimated
    assert _reads(previous)[-1][0] == MOVE_IN
    assert _reads(previous)[-1][2:] == ("estimated", "estimated")
    assert AuditEvent.objects.filter(action="read.move_in", account_number=result.account.number).count() == 1


def test_a_move_in_with_a_read_records_it_as_the_start_read(cycle: Any, make_account: Any, csr: Any) -> None:
    previous = make_account(reads=YEAR)
    account_move_out(account=previous, end_date=MOVE_OUT, read=Decimal(25_800), actor=csr, as_of=TODAY)
    result = _tenant(previous, read=Decimal(25_850), csr=csr)

    assert _reads(previous) == [
        (MOVE_OUT, Decimal(25_800), "manual", "actual"),
        (MOVE_IN, Decimal(25_850), "manual", "actual"),
    ]
    assert result.as_dict()["read"]["consumption_hcf"] == "0.500"


def test_a_move_in_after_today_records_no_read_and_says_when_to_take_it(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    previous = make_account(reads=YEAR)
    account_move_out(account=previous, end_date=MOVE_OUT, read=Decimal(25_800), actor=csr, as_of=TODAY)
    result = _tenant(previous, read=None, csr=csr, start=dt.date(2026, 12, 15))

    assert result.account.status == "pending"
    assert result.read is None
    assert (
        result.read_note == "Service changes on 2026-12-15, after today: enter the move-in read on the day."
    )
    assert len(_reads(previous)) == 1


def test_a_move_out_read_before_a_later_read_is_refused_and_nothing_changes(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    account = make_account(reads=YEAR)
    with pytest.raises(ApplicationError, match="already has a read on 2026-10-28") as refused:
        account_move_out(account=account, end_date=dt.date(2026, 10, 20), read=Decimal(24_900), actor=csr,
                         as_of=TODAY)  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("later_read_on_file", "read")
    account.refresh_from_db()
    assert (account.status, account.closed_on) == ("active", None)
    assert not AuditEvent.objects.filter(action__in=("account.close", "read.move_out")).exists()


def test_a_move_out_without_a_read_before_a_later_read_splits_at_the_read_before(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    account = make_account(reads=YEAR)
    result = account_move_out(
        account=account, end_date=dt.date(2026, 10, 20), read=None, actor=csr, as_of=TODAY
    )
    assert result.read is None
    assert result.read_note == (
        "Meter TS00000001 was read on 2026-10-28, after 2026-10-20: the use splits at the read before "
        "2026-10-20 (no read can be placed before a later one)."
    )
    assert result.account.status == "final"


def test_moves_need_their_permission(cycle: Any, make_account: Any, auditor: Any) -> None:
    account = make_account(reads=YEAR)
    with pytest.raises(PermissionDeniedError):
        account_move_out(account=account, end_date=MOVE_OUT, read=None, actor=auditor, as_of=TODAY)
    with pytest.raises(PermissionDeniedError):
        _tenant(account, read=None, csr=auditor)
    assert not Read.objects.filter(read_on__gt=dt.date(2026, 10, 28)).exists()
    assert Account.objects.count() == 1


def test_a_transfer_closes_the_use_at_the_old_premise_and_starts_it_at_the_new_one_with_reads(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    """A customer moving to another address: the move-out read ends the use at the old premise (here
    estimated: no read given), the move-in read at the new premise is the previous occupant's
    move-out read of the day before (on file, not recorded twice)."""
    from civicbill.meters.services.moves import account_transfer

    moving = make_account(reads=YEAR)
    leaving = make_account(reads=YEAR)  # 102 Avenue 50, meter TS00000002
    account_move_out(account=leaving, end_date=MOVE_OUT, read=Decimal(25_800), actor=csr, as_of=TODAY)

    result = account_transfer(
        account=moving,
        address={"house_number": "102", "street_name": "Avenue 50", "zip_code": "92236", "city": "Coachella",
                 "premise_type": "single_family"},
        move_date=MOVE_OUT,
        actor=csr,
        as_of=TODAY,
    )  # fmt: skip

    new = result.move_in.account
    assert new.premise_id == leaving.premise_id
    assert (new.opened_on, new.customer_id) == (MOVE_IN, moving.customer_id)
    assert Account.objects.get(pk=moving.pk).status == "final"
    # 16 HCF over the 31 days of Oct 28 - Nov 28 2025, × 13 days = 6.71 HCF: 671 CF
    assert _reads(moving) == [(MOVE_OUT, Decimal(25_871), "estimated", "estimated")]
    assert _reads(leaving) == [(MOVE_OUT, Decimal(25_800), "manual", "actual")]  # one read, shared
    out, into = result.as_dict()["move_out"], result.as_dict()["move_in"]
    assert (out["account_number"], out["read"]["value"], out["read"]["estimated"]) == (
        moving.number,
        "25871.000",
        True,
    )
    assert (
        into["account_number"],
        into["read"]["read_on"],
        into["read"]["value"],
        into["read"]["recorded"],
    ) == (new.number, "2026-11-10", "25800.000", False)
    events = AuditEvent.objects.filter(action__in=("read.move_out", "read.move_in", "account.transfer"))
    assert sorted(events.values_list("action", "account_number")) == sorted(
        [
            ("account.transfer", new.number),
            ("read.move_out", leaving.number),
            ("read.move_out", moving.number),
        ]
    )


def test_a_transfer_with_the_reads_given_records_both_and_a_bad_read_changes_nothing(
    cycle: Any, make_account: Any, csr: Any
) -> None:
    from civicbill.meters.services.moves import account_transfer

    moving = make_account(reads=YEAR)
    other = make_account(reads=YEAR)  # 102 Avenue 50: the meter reads 25,200 since Oct 28
    address = {"house_number": "102", "street_name": "Avenue 50", "zip_code": "92236", "city": "Coachella",
               "premise_type": "single_family"}  # fmt: skip
    account_move_out(
        account=other, end_date=dt.date(2026, 10, 31), read=Decimal(25_300), actor=csr, as_of=TODAY
    )
    accounts_before = Account.objects.count()
    with pytest.raises(ApplicationError) as refused:
        account_transfer(
            account=moving, address=address, move_date=MOVE_OUT, move_out_read=Decimal(25_700),
            move_in_read=Decimal(99_999_999), actor=csr, as_of=TODAY,
        )  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("read", "too_many_digits")
    assert Account.objects.count() == accounts_before
    assert Account.objects.get(pk=moving.pk).status == "active"
    assert _reads(moving) == []

    result = account_transfer(
        account=moving, address=address, move_date=MOVE_OUT, move_out_read=Decimal(25_700),
        move_in_read=Decimal(25_900), actor=csr, as_of=TODAY,
    )  # fmt: skip
    assert _reads(moving) == [(MOVE_OUT, Decimal(25_700), "manual", "actual")]
    assert _reads(other)[-1] == (MOVE_IN, Decimal(25_900), "manual", "actual")
    assert result.move_in.read is not None and result.move_in.read.recorded
