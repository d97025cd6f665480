"""The pure posting rules: every problem of an entry, as values."""

from __future__ import annotations

import datetime as dt

import pytest

from civicbill.core.money import Money
from civicbill.ledger import chart
from civicbill.ledger.posting import EntrySpec, GLFacts, PostingLine, conversion_lines, validate_entry

GL = {
    account.code: GLFacts(account.code, account.fund, account.is_receivable_control, account.service)
    for account in chart.CHART
}
GL["500-9999"] = GLFacts("500-9999", "water", False, None, is_active=False)
SOURCES = {"bill", "manual"}


def spec(*lines: PostingLine, **overrides: object) -> EntrySpec:
    values: dict[str, object] = {
        "accounting_date": dt.date(2026, 9, 15),
        "source_type": "bill",
        "source_ref": "B-1",
        "idempotency_key": "k",
        "reason": "cycle_bill",
    }
    values.update(overrides)
    return EntrySpec(lines=lines, **values)  # type: ignore[arg-type]


def codes(entry: EntrySpec) -> list[str]:
    return [error.code for error in validate_entry(entry, gl_accounts=GL, source_types=SOURCES)]


def messages(entry: EntrySpec) -> list[str]:
    return [error.message for error in validate_entry(entry, gl_accounts=GL, source_types=SOURCES)]


def m(text: str) -> Money:
    return Money.parse(text)


def ar(amount: str, *, account: int | None = 7, service: str | None = "water") -> PostingLine:
    return PostingLine.debit(chart.RECEIVABLE_WATER, m(amount), customer_account_id=account, service=service)


def test_a_balanced_bill_has_no_problems() -> None:
    assert codes(spec(ar("40.00"), PostingLine.credit(chart.REVENUE_WATER, m("40.00")))) == []


def test_an_empty_entry() -> None:
    assert messages(spec()) == ["a journal entry needs lines; this one has none"]


def test_a_single_line_entry_is_unbalanced_and_too_short() -> None:
    assert codes(spec(ar("1.00"))) == ["single_line", "unbalanced"]


def test_zero_negative_and_two_sided_lines_are_named_by_line_number() -> None:
    lines = (
        PostingLine.debit(chart.CASH_WATER, m("0.00")),
        PostingLine.debit(chart.CASH_WATER, m("-1.00")),
        PostingLine(chart.CASH_WATER, m("1.00"), m("1.00")),
        PostingLine.credit(chart.CUSTOMER_DEPOSITS, m("1.00")),
    )

    assert messages(spec(*lines)) == [
        "line 1 (500-1000): amount is zero; a line is a positive debit or a positive credit",
        "line 2 (500-1000): amounts cannot be negative (debit -1.00, credit 0.00)",
        "line 3 (500-1000): a line is a debit or a credit, not both (debit 1.00, credit 1.00)",
        "debits 0.00 do not equal credits 2.00",
    ]


def test_receivable_lines_need_account_and_matching_service_and_others_take_neither() -> None:
    lines = (
        ar("1.00", account=None),
        ar("1.00", service=None),
        ar("1.00", service="sewer"),
        PostingLine.credit(chart.REVENUE_WATER, m("3.00"), customer_account_id=7, service="water"),
    )

    assert messages(spec(*lines)) == [
        "line 1 (500-1210): a receivable line must name the customer account and the service (water)",
        "line 2 (500-1210): a receivable line must name the customer account and the service (water)",
        "line 3 (500-1210): service sewer does not belong on the water receivable account",
        "line 4 (500-4110): only receivable control accounts take a customer account or service",
    ]


def test_unknown_and_inactive_gl_accounts() -> None:
    lines = (PostingLine.debit("500-9999", m("1.00")), PostingLine.credit("123-4567", m("1.00")))

    assert messages(spec(*lines)) == [
        "line 1 (500-9999): GL account is inactive",
        "line 2 (123-4567): no such GL account",
    ]


def test_header_fields_are_required_and_bounded() -> None:
    lines = (ar("1.00"), PostingLine.credit(chart.REVENUE_WATER, m("1.00")))

    assert codes(spec(*lines, idempotency_key=" ", reason="", source_type="gift")) == [
        "missing_idempotency_key",
        "missing_reason",
        "unknown_source_type",
    ]
    assert codes(
        spec(*lines, idempotency_key="k" * 201, reason="r" * 61, source_ref="s" * 121, memo="m" * 501)
    ) == ["idempotency_key_too_long", "reason_too_long", "source_ref_too_long", "memo_too_long"]


def test_posting_lines_take_only_money() -> None:
    with pytest.raises(TypeError, match="posting amounts are Money, not int"):
        PostingLine.debit(chart.CASH_WATER, 100)  # type: ignore[arg-type]


def test_conversion_lines_post_each_service_against_its_funds_equity() -> None:
    lines = conversion_lines(
        customer_account_id=7,
        balances_by_service={"sewer": m("41.81"), "water": m("-2.00"), "refuse": m("0.00")},
    )

    assert [
        (line.gl_code, line.debit_cents, line.credit_cents, line.customer_account_id, line.service)
        for line in lines
    ] == [
        ("510-1220", 4181, 0, 7, "sewer"),
        ("510-3900", 0, 4181, None, None),
        ("500-1210", 0, 200, 7, "water"),
        ("500-3900", 200, 0, None, None),
    ]
    assert codes(spec(*lines, source_type="manual")) == []
