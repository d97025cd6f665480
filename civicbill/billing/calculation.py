"""One account's bill for one period, from facts gathered in bulk. Pure: no database.

The billing run (and the final bill and the rebill) gather :class:`AccountFacts` for many accounts
with a fixed number of queries, then call :func:`draft_bill` for each. Rating itself is the rates
app's pure engine, handed in as ``rate`` so this module never reads rate tables.

Exceptions (code, blocking):

=============== ======== ==========================================================================
missing_read    yes      a water agreement and no read measured use in the period (billed as 0 if
                         released)
estimated       no       the period's use comes from an estimated read
zero_bill       no       current charges are exactly zero (no journal entry is posted for them)
negative_bill   yes      current charges are a credit
high_bill       yes      current charges above 3 × the account's usual bill (:func:`usual_bill_cents`)
no_schedule     yes      an agreement's rate schedule has no version in effect (that service is
                         left off the draft)
rating_error    yes      the engine could not price an agreement (message says why)
=============== ======== ==========================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from civicbill.core.money import format_cents
from civicbill.core.utility_services import Service
from civicbill.rates.types import ChargeLine, Determinants, RatingResult

HIGH_BILL_FACTOR = 3
BLOCKING = {
    "missing_read": True,
    "estimated": False,
    "zero_bill": False,
    "negative_bill": True,
    "high_bill": True,
    "no_schedule": True,
    "rating_error": True,
}

# code, determinants, start, end, standard days -> the result, or None when no version is in effect
RateFunction = Callable[[str, Determinants, dt.date, dt.date, int], RatingResult | None]


@dataclass(frozen=True, slots=True)
class AgreementFacts:
    service: str
    rate_schedule_code: str
    start_date: dt.date
    end_date: dt.date | None
    containers: int | None = None  # refuse: containers collected (None: the schedule's default, 1)
    container_size: str = ""  # refuse: the container size the schedule prices by ("96", "3YD")
    service_size: str = ""  # fire line: the fire service line's size ("4"), never the domestic meter's


@dataclass(frozen=True, slots=True)
class WaterFacts:
    """The water service point's use over the period (``missing`` when no read measured it)."""

    consumption_hcf: Decimal
    estimated: bool
    missing: bool
    meter_size: str | None
    meter_serial: str = ""
    previous_read_on: dt.date | None = None
    previous_read: Decimal | None = None
    current_read_on: dt.date | None = None
    current_read: Decimal | None = None


@dataclass(frozen=True, slots=True)
class AccountFacts:
    account_id: int
    number: str
    language: str
    premise_type: str
    dwelling_units: int
    customer_class: str
    agreements: tuple[AgreementFacts, ...]
    water: WaterFacts | None
    balance_now_cents: int  # the receivable balance before this bill, as of its bill date
    previous_balance_cents: int  # total due on the last bill (or the opening balance before any bill)
    payments_cents: int  # payments since the last bill, voids netted (negative; billing.statement)
    usual_bill_cents: int | None  # the high-bill baseline (usual_bill_cents()); None: no test
    # the account's own average water use over the last winter (facts.winter_window), or None
    winter_average_hcf: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DraftLine:
    sequence: int
    line: ChargeLine


@dataclass(frozen=True, slots=True)
class DraftException:
    code: str
    message: str

    @property
    def blocking(self) -> bool:
        return BLOCKING[self.code]


@dataclass(frozen=True)
class DraftBill:
    account_id: int
    number: str
    period_start: dt.date
    period_end: dt.date
    language: str
    water: WaterFacts | None
    lines: tuple[DraftLine, ...]
    exceptions: tuple[DraftException, ...]
    previous_balance_cents: int
    payments_cents: int
    adjustments_cents: int
    current_charges_cents: int
    total_due_cents: int
    charges_by_service: dict[str, int] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return any(exception.blocking for exception in self.exceptions)


def cents(amount: Decimal) -> int:
    """A ChargeLine amount (already rounded to the cent) as integer cents."""
    value = amount * 100
    if value != value.to_integral_value():
        raise ValueError(f"amount {amount} is not rounded to the cent")
    return int(value)


def bill_number(kind: str, period: dt.date, account_number: str, sequence: int = 0) -> str:
    """Regular ``202612-0001234-5``; final ``F202612-0001234-5``; rebill ``R1-202612-0001234-5``."""
    base = f"{period:%Y%m}-{account_number}"
    if kind == "final":
        return f"F{base}"
    if kind == "rebill":
        return f"R{sequence}-{base}"
    return base


def agreement_span(agreement: AgreementFacts, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days of [start, end] the agreement was in effect, or None."""
    first = max(start, agreement.start_date)
    last = end if agreement.end_date is None else min(end, agreement.end_date)
    return (first, last) if first <= last else None


def draft_bill(
    facts: AccountFacts,
    *,
    number: str,
    period_start: dt.date,
    period_end: dt.date,
    standard_days: int,
    rate: RateFunction,
    memo: dict[Any, Charged] | None = None,
) -> DraftBill:
    """Rate every agreement of the account over its days in the period and total the bill.

    ``standard_days`` is the length of the cycle's full period: an agreement in effect for all of
    it is billed one month of fixed charges whatever the month's length; a shorter span (move-in,
    move-out) is prorated by its days ÷ ``standard_days`` exactly by the engine (``cycle_days``),
    with no ±2-day allowance: 29 of 31 days pay 29/31.
    """
    w = facts.water
    winter = facts.winter_average_hcf
    if winter is not None and not _may_read(rate, facts, WINTER_AVERAGE):
        winter = None  # no schedule of the account reads it: accounts alike otherwise share a rating
    key = (
        tuple((a, agreement_span(a, period_start, period_end)) for a in facts.agreements),
        None if w is None else (w.consumption_hcf, w.estimated, w.missing, w.meter_size),
        facts.customer_class,
        facts.dwelling_units,
        winter,
        period_start,
        period_end,
        standard_days,
    )
    charged = memo.get(key) if memo is not None else None
    if charged is None:
        charged = _charges(
            facts,
            period_start=period_start,
            period_end=period_end,
            standard_days=standard_days,
            rate=rate,
            winter_average=winter,
        )
        if memo is not None:
            memo[key] = charged
    draft_lines, found, by_service, current = charged
    exceptions = list(found)
    water = facts.water
    has_water = any(a.service == Service.WATER for a in facts.agreements)
    usual = facts.usual_bill_cents
    if usual is not None and usual > 0 and current > HIGH_BILL_FACTOR * usual:
        exceptions.append(
            DraftException(
                "high_bill",
                f"Current charges {format_cents(current)} are over {HIGH_BILL_FACTOR}× the account's "
                f"usual bill ({format_cents(usual)})",
            )
        )
    adjustments = facts.balance_now_cents - facts.previous_balance_cents - facts.payments_cents
    return DraftBill(
        account_id=facts.account_id,
        number=number,
        period_start=period_start,
        period_end=period_end,
        language=facts.language,
        water=water if has_water else None,
        lines=draft_lines,
        exceptions=tuple(exceptions),
        previous_balance_cents=facts.previous_balance_cents,
        payments_cents=facts.payments_cents,
        adjustments_cents=adjustments,
        current_charges_cents=current,
        total_due_cents=facts.balance_now_cents + current,
        charges_by_service=by_service,
    )


Charged = tuple[tuple["DraftLine", ...], tuple["DraftException", ...], dict[str, int], int]


def _charges(
    facts: AccountFacts,
    *,
    period_start: dt.date,
    period_end: dt.date,
    standard_days: int,
    rate: RateFunction,
    winter_average: Decimal | None,
) -> Charged:
    """The priced lines and the rating exceptions (the same for every account with the same facts)."""
    exceptions: list[DraftException] = []
    lines: list[ChargeLine] = []
    water = facts.water
    usage = Decimal(0)
    has_water = any(a.service == Service.WATER for a in facts.agreements)
    if has_water:
        if water is None or water.missing:
            exceptions.append(
                DraftException(
                    "missing_read", f"No read measured water use from {period_start} to {period_end}"
                )
            )
        else:
            usage = water.consumption_hcf
            if water.estimated:
                exceptions.append(
                    DraftException("estimated", f"Use of {usage} HCF comes from an estimated read")
                )
    for agreement in sorted(facts.agreements, key=_service_order):
        span = agreement_span(agreement, period_start, period_end)
        if span is None:
            continue
        determinants = agreement_determinants(facts, agreement, usage, winter_average)
        try:
            result = rate(agreement.rate_schedule_code, determinants, span[0], span[1], standard_days)
        except (ValueError, KeyError, ArithmeticError, TypeError) as error:
            exceptions.append(
                DraftException("rating_error", f"{agreement.rate_schedule_code}: {error}"[:300])
            )
            continue
        if result is None:
            exceptions.append(
                DraftException(
                    "no_schedule",
                    f"Rate schedule {agreement.rate_schedule_code} ({agreement.service}) has no version "
                    f"in effect from {span[0]} to {span[1]}",
                )
            )
            continue
        if result.errors:
            hint = ""
            if agreement.service == Service.FIRE_LINE and not agreement.service_size:
                hint = " (the fire line agreement has no fire service size: enter the line's size)"
            exceptions.append(
                DraftException(
                    "rating_error", f"{agreement.rate_schedule_code}: {'; '.join(result.errors)}{hint}"[:300]
                )
            )
            continue
        lines.extend(result.lines)
    by_service: dict[str, int] = {}
    for line in lines:
        by_service[line.service] = by_service.get(line.service, 0) + cents(line.amount)
    current = sum(by_service.values())
    if current == 0 and not any(e.code in ("no_schedule", "rating_error") for e in exceptions):
        exceptions.append(DraftException("zero_bill", "Current charges are zero"))
    elif current < 0:
        exceptions.append(
            DraftException("negative_bill", f"Current charges are a credit of {format_cents(-current)}")
        )
    lines_out = tuple(DraftLine(index, line) for index, line in enumerate(lines, start=1))
    return lines_out, tuple(exceptions), by_service, current


WINTER_AVERAGE = "winter_average_ccf"


def _may_read(rate: RateFunction, facts: AccountFacts, name: str) -> bool:
    """Whether a sewer schedule of the account may read the variable ``name`` (the billing run's
    rate function says which variables each schedule reads; other rate functions: assume it may)."""
    uses: dict[str, frozenset[str] | None] | None = getattr(rate, "uses", None)
    if uses is None:
        return True
    for agreement in facts.agreements:
        if agreement.service == Service.SEWER:
            names = uses.get(agreement.rate_schedule_code)
            if names is None or name in names:
                return True
    return False


def agreement_determinants(
    facts: AccountFacts, agreement: AgreementFacts, usage: Decimal, winter_average: Decimal | None
) -> Determinants:
    """What the agreement's schedule may price on, from the account's facts (the same names a quote
    takes with ``--var``):

    - ``usage_hcf``: the water use of the period (sewer and refuse schedules see it too);
    - ``meter_size``: the domestic water meter's size, except for a fire line, whose size is the
      fire service line's (``AgreementFacts.service_size``; none when it is not recorded);
    - ``dwelling_units``: the premise's; ``customer_class``: the premise type's;
    - ``containers`` and ``container_size``: the refuse agreement's, when recorded;
    - ``winter_average_ccf``: ``winter_average`` (the account's own average winter water use, when
      it has one: :func:`civicbill.billing.periods.winter_window`), for sewer agreements.
    """
    water = facts.water
    variables: dict[str, Decimal | str] = {}
    if agreement.service == Service.FIRE_LINE:
        meter_size = agreement.service_size or None
    else:
        meter_size = water.meter_size if water is not None else None
    if agreement.containers is not None:
        variables["containers"] = Decimal(agreement.containers)
    if agreement.container_size:
        variables["container_size"] = agreement.container_size
    if agreement.service == Service.SEWER and winter_average is not None:
        variables[WINTER_AVERAGE] = winter_average
    return Determinants(
        usage_hcf=usage,
        customer_class=facts.customer_class,
        meter_size=meter_size,
        dwelling_units=facts.dwelling_units,
        variables=variables,
    )


_ORDER: dict[str, int] = {Service.WATER: 0, Service.SEWER: 1, Service.REFUSE: 2, Service.FIRE_LINE: 3}


def _service_order(agreement: AgreementFacts) -> tuple[int, dt.date]:
    return (_ORDER.get(agreement.service, 9), agreement.start_date)


WINTER_AVERAGE_PLACES = Decimal("0.01")


def winter_average(use_by_month: dict[dt.date, Decimal], months: int = 3) -> Decimal | None:
    """The average monthly water use over a winter window, rounded half up to 0.01 HCF, or None
    unless each of its ``months`` months was billed (``use_by_month`` holds the billed months)."""
    if len(use_by_month) < months:
        return None
    total = sum(use_by_month.values(), Decimal(0))
    return (total / months).quantize(WINTER_AVERAGE_PLACES, rounding=ROUND_HALF_UP)


def usual_bill_cents(
    *, same_period_last_year: int | None, recent: Sequence[int], confirmed: int | None = None
) -> int | None:
    """The high-bill baseline: the current charges of the same period last year's bill, else the
    median of recent bills (the middle two averaged, half up to the cent); raised to the charges of
    a bill whose high-bill exception staff released (``confirmed``: the account's new usual level).
    The caller passes only issued, actual (not estimated), full-period (not prorated) bills, so a
    held draft, an estimate or a short first bill never sets the baseline. None: no bill to compare
    with (no high-bill test)."""
    usual = same_period_last_year
    if usual is None and recent:
        ordered = sorted(recent)
        middle = len(ordered) // 2
        usual = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle] + 1) // 2
    if confirmed is not None and (usual is None or confirmed > usual):
        usual = confirmed
    return usual
