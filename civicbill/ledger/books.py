"""The rules ``check-books`` verifies, as pure functions over facts gathered by the selectors.

Each ``check_*`` function takes plain data (integers of cents, codes, ids) and returns a
:class:`BookCheck`: a name, ``ok``, a one-line detail and the problems found. The database
gathers the facts with a few aggregate queries (:func:`civicbill.ledger.selectors.check_books`);
where a rule can be pre-filtered in SQL (an unbalanced entry among millions), the query returns the
candidates and the rule here decides.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from civicbill.core.money import Money, plain_cents
from civicbill.core.utility_services import Fund
from civicbill.ledger.posting import GLFacts, LineKey, line_signature

MAX_PROBLEMS_LISTED = 50


@dataclass(frozen=True, slots=True)
class BookCheck:
    name: str
    ok: bool
    detail: str
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "problems": list(self.problems)}


@dataclass(frozen=True, slots=True)
class BooksReport:
    checks: tuple[BookCheck, ...]
    entry_count: int = 0
    line_count: int = 0

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[BookCheck]:
        return [check for check in self.checks if not check.ok]

    def check(self, name: str) -> BookCheck:
        return next(check for check in self.checks if check.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entry_count": self.entry_count,
            "line_count": self.line_count,
            "failed": [check.name for check in self.failed],
            "checks": [check.to_dict() for check in self.checks],
        }


def _result(name: str, problems: Sequence[str], ok_detail: str) -> BookCheck:
    if not problems:
        return BookCheck(name, True, ok_detail)
    listed = tuple(problems[:MAX_PROBLEMS_LISTED])
    more = f" (first {MAX_PROBLEMS_LISTED} listed)" if len(problems) > MAX_PROBLEMS_LISTED else ""
    return BookCheck(name, False, f"{len(problems)} problem{'s' if len(problems) != 1 else ''}{more}", listed)


# -- entries --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EntryTotals:
    """An entry's declared total and what its lines add up to."""

    entry_id: str
    total_cents: int
    line_count: int
    debit_cents: int
    credit_cents: int


def entry_problem(totals: EntryTotals) -> str | None:
    """Why an entry is not balanced, or None: ≥ 2 lines, debits = credits = declared total."""
    if totals.line_count < 2:
        return f"entry {totals.entry_id} has {totals.line_count} line{'s' if totals.line_count != 1 else ''}"
    if totals.debit_cents != totals.credit_cents:
        return (
            f"entry {totals.entry_id} is unbalanced: debits {plain_cents(totals.debit_cents)}, "
            f"credits {plain_cents(totals.credit_cents)}"
        )
    if totals.debit_cents != totals.total_cents:
        return (
            f"entry {totals.entry_id} declares {plain_cents(totals.total_cents)} but its lines total "
            f"{plain_cents(totals.debit_cents)}"
        )
    return None


def check_entries_balanced(entries: Iterable[EntryTotals]) -> BookCheck:
    problems = [problem for totals in entries if (problem := entry_problem(totals))]
    return _result(
        "entries_balanced",
        problems,
        "every entry has at least two lines and its debits equal its credits and its total",
    )


@dataclass(frozen=True, slots=True)
class LineFacts:
    line_id: int
    entry_id: str
    gl_code: str
    debit_cents: int
    credit_cents: int
    customer_account_id: int | None
    service: str | None
    has_entry: bool = True


def line_problem(line: LineFacts) -> str | None:
    """Why a single line is malformed, or None."""
    where = f"line {line.line_id} of entry {line.entry_id} ({line.gl_code})"
    if line.debit_cents < 0 or line.credit_cents < 0:
        return f"{where} has a negative amount"
    if (line.debit_cents > 0) == (line.credit_cents > 0):
        amounts = f"debit {plain_cents(line.debit_cents)}, credit {plain_cents(line.credit_cents)}"
        return f"{where} must be either a debit or a credit ({amounts})"
    if (line.customer_account_id is None) != (line.service is None):
        return f"{where} names a customer account or a service without the other"
    return None


def check_lines_well_formed(lines: Iterable[LineFacts]) -> BookCheck:
    problems = [problem for line in lines if (problem := line_problem(line))]
    return _result(
        "lines_well_formed",
        problems,
        "every line is a positive debit or a positive credit and names account and service together",
    )


def check_orphan_lines(lines: Iterable[LineFacts]) -> BookCheck:
    problems = [
        f"line {line.line_id} belongs to entry {line.entry_id}, which has no header"
        for line in lines
        if not line.has_entry
    ]
    return _result("no_orphan_lines", problems, "every line belongs to a posted entry")


# -- GL accounts, funds, subledger ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LineGroup:
    """Lines summed by GL account, by the service they name and by whether they name a customer account."""

    gl_code: str
    line_service: str | None
    names_customer_account: bool
    line_count: int
    debit_cents: int
    credit_cents: int


@dataclass(frozen=True, slots=True)
class FundTie:
    """A receivable control account's GL balance against the AR subledger for its service."""

    fund: str
    control_code: str
    service: str
    control_balance: Money
    subledger_balance: Money

    @property
    def difference(self) -> Money:
        return self.control_balance - self.subledger_balance

    @property
    def ok(self) -> bool:
        return self.difference.is_zero()


def check_trial_balance(groups: Iterable[LineGroup]) -> BookCheck:
    groups = list(groups)
    debit_cents = sum(group.debit_cents for group in groups)
    credit_cents = sum(group.credit_cents for group in groups)
    problems = (
        []
        if debit_cents == credit_cents
        else [
            f"total debits {plain_cents(debit_cents)} do not equal total credits {plain_cents(credit_cents)}"
        ]
    )
    return _result("trial_balance_zero", problems, f"debits = credits = {plain_cents(debit_cents)}")


def check_funds_balance(groups: Iterable[LineGroup], gl_accounts: Mapping[str, GLFacts]) -> BookCheck:
    net_by_fund: dict[str, int] = defaultdict(int)
    problems: list[str] = []
    for group in groups:
        facts = gl_accounts.get(group.gl_code)
        if facts is None:
            problems.append(f"lines on {group.gl_code}, which is not a GL account")
            continue
        net_by_fund[facts.fund] += group.debit_cents - group.credit_cents
    problems += [
        f"{Fund(fund).label} is out of balance by {plain_cents(net)}"
        for fund, net in sorted(net_by_fund.items())
        if net != 0
    ]
    return _result("funds_balance", problems, "each fund's debits equal its credits")


def check_receivable_lines(groups: Iterable[LineGroup], gl_accounts: Mapping[str, GLFacts]) -> BookCheck:
    """Every line on a receivable control account names a customer account and that account's
    service; every line naming a customer account is on a receivable control account."""
    problems: list[str] = []
    for group in groups:
        facts = gl_accounts.get(group.gl_code)
        if facts is None:
            continue
        count = f"{group.line_count} line{'s' if group.line_count != 1 else ''}"
        if facts.is_receivable_control:
            if not group.names_customer_account or group.line_service is None:
                problems.append(f"receivable control {group.gl_code}: {count} without a customer account")
            elif group.line_service != facts.service:
                problems.append(
                    f"receivable control {group.gl_code} ({facts.service}): "
                    f"{count} for service {group.line_service}"
                )
        elif group.names_customer_account or group.line_service is not None:
            problems.append(
                f"{group.gl_code}: {count} naming a customer account or service, "
                f"but it is not a receivable control account"
            )
    return _result(
        "receivable_lines", problems, "receivable lines name an account and service; no other lines do"
    )


def subledger_ties(groups: Iterable[LineGroup], gl_accounts: Mapping[str, GLFacts]) -> list[FundTie]:
    """For each receivable control account: its GL balance (all its lines) and the subledger balance
    (all lines naming a customer account and its service, on whatever GL account)."""
    control_cents: dict[str, int] = defaultdict(int)
    subledger_cents_by_service: dict[str, int] = defaultdict(int)
    for group in groups:
        net = group.debit_cents - group.credit_cents
        control_cents[group.gl_code] += net
        if group.names_customer_account and group.line_service is not None:
            subledger_cents_by_service[group.line_service] += net
    controls = sorted(
        (facts for facts in gl_accounts.values() if facts.is_receivable_control), key=lambda facts: facts.code
    )
    return [
        FundTie(
            fund=facts.fund,
            control_code=facts.code,
            service=facts.service or "",
            control_balance=Money.from_cents(control_cents.get(facts.code, 0)),
            subledger_balance=Money.from_cents(subledger_cents_by_service.get(facts.service or "", 0)),
        )
        for facts in controls
    ]


def check_subledger_ties(ties: Iterable[FundTie]) -> BookCheck:
    ties = list(ties)
    problems = [
        f"{tie.control_code} ({Fund(tie.fund).label}, {tie.service}): control {tie.control_balance}, "
        f"subledger {tie.subledger_balance}, difference {tie.difference}"
        for tie in ties
        if not tie.ok
    ]
    return _result(
        "subledger_ties_control",
        problems,
        f"the AR subledger equals the {len(ties)} receivable control accounts",
    )


# -- reversals ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReversalLink:
    reversal_id: str
    original_id: str
    reversal_source_type: str
    original_reverses_id: str | None  # set when the original is itself a reversal


@dataclass(frozen=True)
class ReversalFacts:
    links: list[ReversalLink]
    lines_by_entry: Mapping[str, list[LineKey]] = field(default_factory=dict)
    unlinked_reversal_ids: list[str] = field(default_factory=list)  # source type reversal, reversing nothing


def check_reversals(facts: ReversalFacts) -> BookCheck:
    """A reversal mirrors its original exactly; nothing is reversed twice; no reversal of a reversal."""
    problems = [
        f"entry {entry_id} is a reversal that reverses no entry" for entry_id in facts.unlinked_reversal_ids
    ]
    times_reversed = Counter(link.original_id for link in facts.links)
    problems += [
        f"entry {original} is reversed {count} times"
        for original, count in sorted(times_reversed.items())
        if count > 1
    ]
    for link in facts.links:
        if link.original_reverses_id is not None:
            problems.append(
                f"entry {link.reversal_id} reverses {link.original_id}, which is itself a reversal"
            )
        if link.reversal_source_type != "reversal":
            problems.append(
                f"entry {link.reversal_id} reverses {link.original_id} "
                f"but its source type is {link.reversal_source_type}"
            )
        original = facts.lines_by_entry.get(link.original_id, [])
        reversal = facts.lines_by_entry.get(link.reversal_id, [])
        if line_signature(key.mirrored() for key in original) != line_signature(reversal):
            problems.append(
                f"entry {link.reversal_id} does not mirror the entry it reverses, {link.original_id}"
            )
    return _result(
        "reversals_consistent",
        problems,
        f"every reversal mirrors the entry it reverses ({len(facts.links)} checked)",
    )


# -- periods --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LatePosting:
    entry_id: str
    month: str  # YYYY-MM
    posted_at: str
    closed_at: str


def check_closed_periods(late: Iterable[LatePosting]) -> BookCheck:
    problems = [
        f"entry {item.entry_id} was posted into {item.month} at {item.posted_at}, after the month "
        f"closed at {item.closed_at}"
        for item in late
    ]
    return _result("closed_periods_untouched", problems, "nothing was posted into a month after it closed")


@dataclass(frozen=True, slots=True)
class AccountTotals:
    line_count: int
    debit_cents: int
    credit_cents: int


@dataclass(frozen=True)
class MonthTotals:
    """A month's journal: its entry count and, per GL account code, the lines' totals."""

    month: str  # YYYY-MM
    entry_count: int
    by_gl_account: Mapping[str, AccountTotals] = field(default_factory=dict)


@dataclass(frozen=True)
class ClosedMonth:
    """A closed month: what was recorded when it closed (None: nothing recorded) and what it holds now."""

    month: str  # YYYY-MM
    closed_at: str
    recorded: MonthTotals | None
    current: MonthTotals


def _totals_text(totals: AccountTotals | None) -> str:
    if totals is None:
        return "no lines"
    lines = f"{totals.line_count} line{'s' if totals.line_count != 1 else ''}"
    return f"debits {plain_cents(totals.debit_cents)}, credits {plain_cents(totals.credit_cents)} ({lines})"


def closed_month_problems(closed: ClosedMonth) -> list[str]:
    where = f"closed period {closed.month} (closed {closed.closed_at})"
    if closed.recorded is None:
        return [f"{where} has no totals recorded at its close"]
    problems: list[str] = []
    if closed.recorded.entry_count != closed.current.entry_count:
        problems.append(
            f"{where} holds {closed.current.entry_count} entries, "
            f"{closed.recorded.entry_count} when it was closed"
        )
    for code in sorted(set(closed.recorded.by_gl_account) | set(closed.current.by_gl_account)):
        then = closed.recorded.by_gl_account.get(code)
        now = closed.current.by_gl_account.get(code)
        if then != now:
            problems.append(
                f"{where}: GL account {code} has {_totals_text(now)}; when closed, {_totals_text(then)}"
            )
    return problems


def check_closed_period_totals(closed_months: Iterable[ClosedMonth]) -> BookCheck:
    """Each closed month still holds what it held when it was closed (entries and GL totals)."""
    months = list(closed_months)
    problems = [problem for closed in months for problem in closed_month_problems(closed)]
    return _result(
        "closed_periods_match_close",
        problems,
        f"every closed period holds what it held when it was closed ({len(months)} checked)",
    )
