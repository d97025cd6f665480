"""The late penalty and the monthly interest, by the rules alone (collections/penalties.py)."""

from __future__ import annotations

import datetime as dt

from civicbill.collections.delinquency import AccountDelinquency, OpenBillItem
from civicbill.collections.penalties import (
    add_months,
    assess_account,
    delinquent_on,
    months_reached,
    protection_reason,
    waiver_allowed,
)
from civicbill.collections.policy import DEFAULT_POLICY

DUE = dt.date(2026, 11, 20)  # a Friday; delinquent Thursday 2026-11-26 (Thanksgiving) after 5 grace days


def _owed(*items: OpenBillItem, account_id: int = 7) -> AccountDelinquency:
    return AccountDelinquency(account_id, sum(i.open_cents for i in items), tuple(items))


def _item(
    service: str, cents: int, *, bill_id: int = 1, due: dt.date = DUE, kind: str = "charge"
) -> OpenBillItem:
    return OpenBillItem(service, kind, due - dt.timedelta(days=21), due, cents, bill_id, f"B{bill_id}", None)


def test_a_bill_is_delinquent_the_day_after_its_grace_days_and_monthiversaries_clamp_to_month_end() -> None:
    assert delinquent_on(DUE, 5) == dt.date(2026, 11, 26)
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 11, 26), 2) == dt.date(2027, 1, 26)
    assert months_reached(dt.date(2026, 11, 26), dt.date(2026, 12, 25)) == 0
    assert months_reached(dt.date(2026, 11, 26), dt.date(2026, 12, 26)) == 1
    assert months_reached(dt.date(2027, 1, 31), dt.date(2027, 2, 28)) == 1
    assert months_reached(dt.date(2026, 11, 26), dt.date(2027, 11, 25)) == 11


def test_no_penalty_within_the_grace_days_and_ten_percent_per_service_rounded_half_up_after() -> None:
    owed = _owed(_item("water", 4321), _item("sewer", 3215))
    assert assess_account(owed, policy=DEFAULT_POLICY, run_date=dt.date(2026, 11, 25)).charges == ()
    [penalty] = assess_account(owed, policy=DEFAULT_POLICY, run_date=dt.date(2026, 11, 26)).charges
    assert (penalty.kind, penalty.sequence, penalty.basis_cents) == ("penalty", 0, 7536)
    assert penalty.split() == {"water": 432, "sewer": 322}  # $4.321 -> $4.32, $3.215 -> $3.22
    assert penalty.amount_cents == 754
    assert penalty.charged_from == dt.date(2026, 11, 26)


def test_interest_each_monthiversary_only_once_and_never_for_a_month_already_assessed() -> None:
    owed = _owed(_item("water", 4321), _item("sewer", 3215))
    done = frozenset({(1, "penalty", 0)})
    assert (
        assess_account(owed, policy=DEFAULT_POLICY, run_date=dt.date(2026, 12, 25), assessed=done).charges
        == ()
    )
    [interest] = assess_account(
        owed, policy=DEFAULT_POLICY, run_date=dt.date(2026, 12, 28), assessed=done
    ).charges
    assert (interest.kind, interest.sequence, interest.charged_from) == ("interest", 1, dt.date(2026, 12, 26))
    assert interest.split() == {"water": 22, "sewer": 16}  # 0.5% of $43.21 = $0.216; of $32.15 = $0.16075
    done |= {(1, "interest", 1)}
    assert (
        assess_account(owed, policy=DEFAULT_POLICY, run_date=dt.date(2027, 1, 25), assessed=done).charges
        == ()
    )
    [second] = assess_account(
        owed, policy=DEFAULT_POLICY, run_date=dt.date(2027, 1, 26), assessed=done
    ).charges
    assert second.sequence == 2


def test_nothing_below_the_minimum_and_nothing_on_fire_line_penalties_or_conversion_balances() -> None:
    assert (
        assess_account(
            _owed(_item("water", 999)), policy=DEFAULT_POLICY, run_date=dt.date(2026, 12, 1)
        ).charges
        == ()
    )
    owed = _owed(
        _item("fire_line", 5000),
        _item("water", 2000, kind="penalty"),
        OpenBillItem("water", "charge", dt.date(2026, 1, 31), dt.date(2026, 1, 31), 9000),  # conversion
        _item("water", 1000),
    )
    [penalty] = assess_account(owed, policy=DEFAULT_POLICY, run_date=dt.date(2026, 12, 1)).charges
    assert (penalty.basis_cents, penalty.split()) == (1000, {"water": 100})


def test_a_protected_account_is_charged_nothing_and_told_why() -> None:
    owed = _owed(_item("water", 4321))
    reason = protection_reason(in_arrangement=True, appeal_pending=False, moratorium=None)
    result = assess_account(
        owed, policy=DEFAULT_POLICY, run_date=dt.date(2026, 12, 1), protected_because=reason
    )
    assert (result.charges, result.skipped_because) == ((), "an honoured payment arrangement")
    assert [c.amount_cents for c in result.skipped] == [432]
    assert protection_reason(in_arrangement=True, appeal_pending=True, moratorium="Heat emergency") == (
        "emergency moratorium: Heat emergency"
    )


def test_low_income_interest_is_waived_once_in_twelve_months_but_not_the_penalty() -> None:
    owed = _owed(_item("water", 4321), _item("sewer", 3215, bill_id=1))
    first = assess_account(owed, policy=DEFAULT_POLICY, run_date=dt.date(2026, 12, 28), low_income=True)
    assert [c.kind for c in first.charges] == ["penalty"]
    assert [(c.kind, c.amount_cents) for c in first.waived] == [("interest", 38)]
    later = assess_account(
        owed, policy=DEFAULT_POLICY, run_date=dt.date(2027, 1, 26), low_income=True,
        assessed=frozenset({(1, "penalty", 0), (1, "interest", 1)}), last_waiver_on=dt.date(2026, 12, 28),
    )  # fmt: skip
    assert ([c.sequence for c in later.charges], later.waived) == ([2], ())
    assert not waiver_allowed(dt.date(2026, 12, 28), dt.date(2027, 12, 27))
    assert waiver_allowed(dt.date(2026, 12, 28), dt.date(2027, 12, 28))
