"""What a poster hands the ledger, and the rules an entry must meet. Pure: no database.

A :class:`PostingLine` is one debit or credit of :class:`~civicbill.core.money.Money` on a GL
account code; an :class:`EntrySpec` is a whole entry. :func:`validate_entry` returns the
problems as values (a list of :class:`PostingError`), so a batch job can report every bad entry
at once; the services refuse an entry with any problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from civicbill.core.money import MAX_LINE_CENTS, Money, format_cents, format_money
from civicbill.core.utility_services import Fund
from civicbill.ledger import chart

# column widths of JournalEntry / JournalLine, checked here so both databases refuse alike
MAX_SOURCE_REF = 120
MAX_IDEMPOTENCY_KEY = 200
MAX_REASON = 60
MAX_ENTRY_MEMO = 500
MAX_LINE_MEMO = 200
_ZERO = Money.zero()  # Money is immutable: one zero serves every line's other side


@dataclass(frozen=True, slots=True)
class PostingLine:
    """One debit or credit. Lines on a receivable control account name the customer account and
    service; lines on any other account name neither."""

    gl_code: str
    debit_amount: Money
    credit_amount: Money
    customer_account_id: int | None = None
    service: str | None = None
    memo: str = ""
    debit_cents: int = field(init=False, repr=False, compare=False)
    credit_cents: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for amount in (self.debit_amount, self.credit_amount):
            if not isinstance(amount, Money):
                raise TypeError(f"posting amounts are Money, not {type(amount).__name__}")
        if self.service is not None and type(self.service) is not str:
            object.__setattr__(self, "service", str(self.service))  # a Service member -> "water"
        object.__setattr__(self, "debit_cents", self.debit_amount.cents)
        object.__setattr__(self, "credit_cents", self.credit_amount.cents)

    @classmethod
    def debit(
        cls,
        gl_code: str,
        amount: Money,
        *,
        customer_account_id: int | None = None,
        service: str | None = None,
        memo: str = "",
    ) -> PostingLine:
        return cls(gl_code, amount, _ZERO, customer_account_id, service, memo)

    @classmethod
    def credit(
        cls,
        gl_code: str,
        amount: Money,
        *,
        customer_account_id: int | None = None,
        service: str | None = None,
        memo: str = "",
    ) -> PostingLine:
        return cls(gl_code, _ZERO, amount, customer_account_id, service, memo)

    def mirrored(self) -> PostingLine:
        """The same line on the other side (for reversals)."""
        return PostingLine(
            self.gl_code,
            self.credit_amount,
            self.debit_amount,
            self.customer_account_id,
            self.service,
            self.memo,
        )


@dataclass(frozen=True, slots=True)
class EntrySpec:
    """A whole journal entry as its poster describes it."""

    lines: tuple[PostingLine, ...]
    accounting_date: dt.date
    source_type: str
    source_ref: str
    idempotency_key: str
    reason: str
    memo: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "source_type", str(self.source_type))

    @property
    def total_cents(self) -> int:
        return sum(line.debit_cents for line in self.lines)


@dataclass(frozen=True, slots=True)
class GLFacts:
    """What validation needs to know about a GL account."""

    code: str
    fund: str
    is_receivable_control: bool
    service: str | None
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class PostingError:
    """One reason an entry cannot be posted. ``code`` is stable; ``message`` is for people."""

    code: str
    message: str
    line_number: int | None = None  # 1-based

    def __str__(self) -> str:
        return self.message


def _line_errors(number: int, line: PostingLine, facts: GLFacts | None) -> list[PostingError]:
    """The line's problems; ``facts`` are its GL account's (None: no such account)."""
    errors: list[PostingError] = []

    def add(code: str, message: str) -> None:
        errors.append(PostingError(code, f"line {number} ({line.gl_code}): {message}", number))

    debit, credit = line.debit_cents, line.credit_cents
    if debit < 0 or credit < 0:
        add(
            "negative_amount",
            f"amounts cannot be negative (debit {line.debit_amount}, credit {line.credit_amount})",
        )
    elif debit == 0 and credit == 0:
        add("zero_amount", "amount is zero; a line is a positive debit or a positive credit")
    elif debit != 0 and credit != 0:
        add(
            "debit_and_credit",
            f"a line is a debit or a credit, not both "
            f"(debit {line.debit_amount}, credit {line.credit_amount})",
        )
    if debit > MAX_LINE_CENTS or credit > MAX_LINE_CENTS:
        add(
            "amount_over_limit",
            f"{format_money(max(line.debit_amount, line.credit_amount))} is over the limit of "
            f"{format_cents(MAX_LINE_CENTS)} for one journal line",
        )
    if len(line.memo) > MAX_LINE_MEMO:
        add("memo_too_long", f"memo is longer than {MAX_LINE_MEMO} characters")
    if facts is None:
        add("unknown_gl_account", "no such GL account")
        return errors
    if not facts.is_active:
        add("inactive_gl_account", "GL account is inactive")
    names_account = line.customer_account_id is not None
    names_service = line.service is not None
    if facts.is_receivable_control:
        if not names_account or not names_service:
            add(
                "receivable_line_incomplete",
                f"a receivable line must name the customer account and the service ({facts.service})",
            )
        elif line.service != facts.service:
            add(
                "receivable_service_mismatch",
                f"service {line.service} does not belong on the {facts.service} receivable account",
            )
    elif names_account or names_service:
        add("not_a_receivable_account", "only receivable control accounts take a customer account or service")
    return errors


def validate_entry(
    spec: EntrySpec, *, gl_accounts: Mapping[str, GLFacts], source_types: Iterable[str]
) -> list[PostingError]:
    """Every reason ``spec`` cannot be posted; an empty list when it can."""
    errors: list[PostingError] = []
    if not spec.idempotency_key.strip():
        errors.append(PostingError("missing_idempotency_key", "an idempotency key is required"))
    elif len(spec.idempotency_key) > MAX_IDEMPOTENCY_KEY:
        errors.append(
            PostingError(
                "idempotency_key_too_long", f"idempotency key is longer than {MAX_IDEMPOTENCY_KEY} characters"
            )
        )
    if not spec.reason.strip():
        errors.append(PostingError("missing_reason", "a reason code is required"))
    elif len(spec.reason) > MAX_REASON:
        errors.append(PostingError("reason_too_long", f"reason is longer than {MAX_REASON} characters"))
    if spec.source_type not in (
        source_types if isinstance(source_types, (set, frozenset)) else set(source_types)
    ):
        if spec.source_type == "reversal":
            errors.append(
                PostingError("reversal_not_linked", "a reversal is posted by reversing the entry it undoes")
            )
        else:
            errors.append(PostingError("unknown_source_type", f"unknown source type {spec.source_type!r}"))
    if len(spec.source_ref) > MAX_SOURCE_REF:
        errors.append(
            PostingError(
                "source_ref_too_long", f"source reference is longer than {MAX_SOURCE_REF} characters"
            )
        )
    if len(spec.memo) > MAX_ENTRY_MEMO:
        errors.append(PostingError("memo_too_long", f"memo is longer than {MAX_ENTRY_MEMO} characters"))
    if not spec.lines:
        errors.append(PostingError("empty", "a journal entry needs lines; this one has none"))
        return errors
    if len(spec.lines) < 2:
        errors.append(PostingError("single_line", "a journal entry needs at least two lines"))

    # totals as plain ints ([debits, credits] per fund): a batch validates hundreds of thousands of lines
    debit_cents = credit_cents = 0
    by_fund: dict[str, list[int]] = {}
    every_account_known = True
    for number, line in enumerate(spec.lines, start=1):
        facts = gl_accounts.get(line.gl_code)
        line_errors = _line_errors(number, line, facts)
        if line_errors:
            errors += line_errors
        debit_cents += line.debit_cents
        credit_cents += line.credit_cents
        if facts is None:
            every_account_known = False
        elif (fund_totals := by_fund.get(facts.fund)) is None:
            by_fund[facts.fund] = [line.debit_cents, line.credit_cents]
        else:
            fund_totals[0] += line.debit_cents
            fund_totals[1] += line.credit_cents
    if debit_cents != credit_cents:
        errors.append(
            PostingError(
                "unbalanced",
                f"debits {Money.from_cents(debit_cents)} do not equal credits "
                f"{Money.from_cents(credit_cents)}",
            )
        )
    elif every_account_known:  # funds are unknowable otherwise
        for fund, (fund_debit_cents, fund_credit_cents) in sorted(by_fund.items()):
            if fund_debit_cents != fund_credit_cents:
                errors.append(
                    PostingError(
                        "fund_unbalanced",
                        f"{Fund(fund).label} does not balance: "
                        f"debits {Money.from_cents(fund_debit_cents)}, "
                        f"credits {Money.from_cents(fund_credit_cents)} "
                        f"(use due to/due from other funds)",
                    )
                )
    return errors


def describe_errors(errors: list[PostingError], *, limit: int = 10) -> str:
    """The first ``limit`` problems joined for one message, with a count of the rest."""
    text = "; ".join(error.message for error in errors[:limit])
    if len(errors) > limit:
        text += f"; and {len(errors) - limit} more"
    return text


@dataclass(frozen=True, slots=True)
class LineKey:
    """A line without its memo: what makes two entries the same posting (idempotency, reversals)."""

    gl_code: str
    debit_cents: int
    credit_cents: int
    customer_account_id: int | None
    service: str | None

    @classmethod
    def of(cls, line: PostingLine) -> LineKey:
        return cls(line.gl_code, line.debit_cents, line.credit_cents, line.customer_account_id, line.service)

    def mirrored(self) -> LineKey:
        return LineKey(
            self.gl_code, self.credit_cents, self.debit_cents, self.customer_account_id, self.service
        )


def line_signature(keys: Iterable[LineKey]) -> list[LineKey]:
    """Lines in a canonical order, to compare two entries' lines as multisets."""
    return sorted(
        keys,
        key=lambda k: (k.gl_code, k.debit_cents, k.credit_cents, k.customer_account_id or 0, k.service or ""),
    )


def conversion_lines(
    *, customer_account_id: int, balances_by_service: Mapping[str, Money], memo: str = ""
) -> tuple[PostingLine, ...]:
    """The lines of a legacy opening balance: each service's balance on its receivable control
    account against its fund's conversion equity account. A credit balance (negative) posts the
    other way round; zero balances post nothing."""
    lines: list[PostingLine] = []
    for service, amount in sorted(balances_by_service.items()):
        if amount.is_zero():
            continue
        receivable = chart.receivable_control_for(service).code
        equity = chart.conversion_equity_for(chart.fund_for(service)).code
        magnitude = abs(amount)
        if amount.is_positive():
            lines += [
                PostingLine.debit(
                    receivable, magnitude, customer_account_id=customer_account_id, service=service, memo=memo
                ),
                PostingLine.credit(equity, magnitude, memo=memo),
            ]
        else:
            lines += [
                PostingLine.credit(
                    receivable, magnitude, customer_account_id=customer_account_id, service=service, memo=memo
                ),
                PostingLine.debit(equity, magnitude, memo=memo),
            ]
    return tuple(lines)
