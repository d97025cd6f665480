"""Meter read validation: pure rules over a batch of candidate reads, results as values.

Each candidate read comes out as one :class:`ReadResult`:

- **accepted**, with the consumption it bills (HCF) and whether the register rolled over;
- **exception** (stored, waiting for staff), with a stable rule code and a message a clerk understands;
- **bad** (cannot be stored at all: unknown meter, not a number, more digits than the dials, a
  duplicate, a unit the meter does not read in).

The validator works in bulk on context loaded beforehand with a handful of set-based queries
(:class:`ValidationContext`) and never touches the database. It takes each meter's candidates oldest
first and remembers what it accepted, so the reads of a whole year in one file chain on each other.

Consumption and the **true-up**: an actual read is measured from the last ACTUAL read (or the install
read), never from an estimate; the estimated reads since then already billed part of that use, so the
read bills ``actual use since the last actual read − the estimated consumption since then``. When the
estimates billed more than was used, the difference is a credit: the read is held as a
``true_up_credit`` exception, and accepting it bills the negative consumption. An estimated read is
measured from the last read of either kind.

The rules, in the order they are checked (the first that fails decides the code) are listed in
:data:`RULES`; see docs/reads-validation.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from itertools import pairwise
from typing import NamedTuple

from civicbill.meters.consumption import (
    HCF_PLACES,
    NO_HISTORY_ROLLOVER_FRACTION,
    NotPlausibleError,
    Register,
    hcf_between,
    not_plausible_rollover,
    rollover_units,
)
from civicbill.meters.estimation import DailyUse, UsageIndex, UsagePeriod


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    EXCEPTION = "exception"
    BAD = "bad"


# the members, for the per-read code (naming an enum member costs a class attribute look-up each time)
_ACCEPTED, _EXCEPTION, _BAD = Verdict.ACCEPTED, Verdict.EXCEPTION, Verdict.BAD

# -- rule codes (stable: stored on ReadException.code and in import reports) -----------------------
UNKNOWN_METER = "unknown_meter"
NOT_NUMERIC = "not_numeric"
TOO_MANY_DIGITS = "too_many_digits"
UNIT_MISMATCH = "unit_mismatch"
DUPLICATE = "duplicate"
NOT_INSTALLED = "not_installed"
OUTSIDE_READ_WINDOW = "outside_read_window"
LOWER_THAN_PREVIOUS = "lower_than_previous"
TRUE_UP_CREDIT = "true_up_credit"
USAGE_ON_INACTIVE_ACCOUNT = "usage_on_inactive_account"
ZERO_CONSUMPTION = "zero_consumption"
HIGH_USAGE = "high_usage"
LOW_USAGE = "low_usage"
TOO_MANY_ESTIMATES = "too_many_estimates"

RULES: dict[str, tuple[Verdict, str]] = {
    UNKNOWN_METER: (Verdict.BAD, "No meter with this serial number in the inventory"),
    NOT_NUMERIC: (Verdict.BAD, "The read is not a register value (digits, at most 3 decimals)"),
    TOO_MANY_DIGITS: (Verdict.BAD, "The read has more whole digits than the meter has dials"),
    UNIT_MISMATCH: (Verdict.BAD, "The file states a unit the meter does not read in"),
    DUPLICATE: (Verdict.BAD, "The same meter, date and value is already recorded (or earlier in the file)"),
    NOT_INSTALLED: (Verdict.EXCEPTION, "The meter is not installed anywhere on the read date"),
    OUTSIDE_READ_WINDOW: (
        Verdict.EXCEPTION,
        "The read date is in the future, before the meter was installed, or not after its last read",
    ),
    LOWER_THAN_PREVIOUS: (
        Verdict.EXCEPTION,
        "Lower than the previous read and not a plausible rollover for the dials",
    ),
    TRUE_UP_CREDIT: (Verdict.EXCEPTION, "Estimates since the last actual read billed more than was used"),
    USAGE_ON_INACTIVE_ACCOUNT: (Verdict.EXCEPTION, "Water used where no account has service"),
    ZERO_CONSUMPTION: (Verdict.EXCEPTION, "No use over a billing period on an active account"),
    HIGH_USAGE: (Verdict.EXCEPTION, "Daily use above the high limit of the usual use"),
    LOW_USAGE: (Verdict.EXCEPTION, "Daily use below the low limit of the usual use"),
    TOO_MANY_ESTIMATES: (Verdict.EXCEPTION, "Too many estimated reads in a row: a field read is needed"),
}

# read statuses and sources as stored (the values of ReadStatus and ReadSource)
ACTUAL = "actual"
ESTIMATED = "estimated"
EXCEPTION = "exception"
SOURCE_ESTIMATED = "estimated"
SOURCE_FIELD = "field"

USAGE_RULES_MIN_DAYS = 7  # zero/high/low are judged on billing-length periods, not daily AMI reads
MAX_DECIMAL_PLACES = 3


@dataclass(frozen=True, slots=True)
class Thresholds:
    high_percent: int = 150
    low_percent: int = 50
    max_consecutive_estimates: int = 3


@dataclass(frozen=True, slots=True)
class MeterInfo:
    meter_id: int
    serial_number: str
    register: Register


@dataclass(frozen=True, slots=True)
class InstallationInfo:
    installation_id: int
    meter_id: int
    service_point_id: int
    installed_on: dt.date
    install_read: Decimal
    removed_on: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.installed_on <= day and (self.removed_on is None or day <= self.removed_on)


@dataclass(frozen=True, slots=True)
class PriorRead:
    """A stored read of an installation: ACTUAL, ESTIMATED, or EXCEPTION (awaiting review)."""

    installation_id: int
    read_on: dt.date
    value: Decimal
    status: str
    consumption_hcf: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ServiceSpan:
    """When an account had service at a service point (a service agreement's dates)."""

    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class ValidationContext:
    as_of: dt.date
    meters: Mapping[str, MeterInfo]  # by serial number
    installations: Mapping[int, Sequence[InstallationInfo]] = field(default_factory=dict)  # by meter id
    reads: Mapping[int, Sequence[PriorRead]] = field(default_factory=dict)  # by installation, oldest first
    history: Mapping[int, Sequence[UsagePeriod]] = field(default_factory=dict)  # by service point
    service: Mapping[int, Sequence[ServiceSpan]] = field(default_factory=dict)  # by service point
    thresholds: Thresholds = Thresholds()


class Candidate(NamedTuple):
    """A read to validate. ``value`` is the text from a file or a Decimal typed by a clerk;
    ``unit`` is the register unit the file states, when it states one. (A NamedTuple, immutable like
    the frozen dataclasses here but made in half the time: a file makes a million of them, ADR 0007.)"""

    meter_serial: str
    read_on: dt.date
    value: Decimal | str
    source: str
    line: int = 0
    unit: str | None = None


class ReadResult(NamedTuple):
    """What the rules made of one candidate (a NamedTuple for the same reason as :class:`Candidate`)."""

    candidate: Candidate
    verdict: Verdict
    code: str = ""
    message: str = ""
    meter_id: int | None = None
    installation_id: int | None = None
    service_point_id: int | None = None
    value: Decimal | None = None
    consumption_hcf: Decimal | None = None  # what the read bills (after the true-up); None: not measurable
    rolled_over: bool = False
    usage_hcf: Decimal | None = None  # use registered since the last actual read (before the true-up)
    period_days: int = 0

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED


@dataclass(frozen=True, slots=True)
class ChainPosition:
    """Where an installation's reads stand: the last actual read and the estimates after it."""

    installation: InstallationInfo
    last_actual_on: dt.date
    last_actual_value: Decimal
    last_on: dt.date
    last_value: Decimal
    last_status: str
    estimates: int
    estimated_hcf: Decimal
    last_review_on: dt.date | None  # the latest read awaiting review, if any


class _Chain:
    __slots__ = (
        "accepted_keys", "actual_on", "actual_value", "estimated_hcf", "estimates", "last_on",
        "last_review_on", "last_status", "last_value", "review_keys",
    )  # fmt: skip

    def __init__(self, installation: InstallationInfo) -> None:
        self.actual_on = self.last_on = installation.installed_on
        self.actual_value = self.last_value = installation.install_read
        self.last_status = ACTUAL
        self.estimated_hcf = Decimal(0)
        self.estimates = 0
        self.last_review_on: dt.date | None = None
        self.accepted_keys: set[tuple[dt.date, Decimal]] = {
            (installation.installed_on, installation.install_read)
        }
        self.review_keys: set[tuple[dt.date, Decimal]] = set()

    def add(self, read_on: dt.date, value: Decimal, status: str, consumption_hcf: Decimal | None) -> None:
        key = (read_on, value)
        if status == EXCEPTION:
            self.review_keys.add(key)
            if self.last_review_on is None or read_on > self.last_review_on:
                self.last_review_on = read_on
            return
        self.accepted_keys.add(key)
        if status == ACTUAL:
            self.actual_on, self.actual_value = read_on, value
            self.estimated_hcf, self.estimates = Decimal(0), 0
        else:
            self.estimated_hcf += consumption_hcf or 0
            self.estimates += 1
        self.last_on, self.last_value, self.last_status = read_on, value, status


def parse_read_value(value: Decimal | str) -> Decimal | None:
    """A register value: digits with at most 3 decimals, not negative; None when it is not one."""
    if type(value) is str and value.isdigit() and value.isascii():
        return Decimal(value)  # the common case: whole register units
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.replace(".", "", 1).isdigit()):
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the check above lets only digits through
            return None
    if not value.is_finite() or value < 0:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        return None
    return value


def shown(value: Decimal) -> str:
    """A register value or quantity for a message: ``4,530``, ``12.5`` (no trailing zeros)."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


_hcf = shown


def usage_history(
    installations: Iterable[InstallationInfo],
    reads: Mapping[int, Sequence[PriorRead]],
    *,
    complete: Iterable[int] = (),
    loaded_from: dt.date | None = None,
) -> list[UsagePeriod]:
    """A service point's usage periods from its installations' accepted reads, oldest first.

    A period runs from the read before (or the install read) to the read. When reads were loaded
    only from ``loaded_from``, the first loaded read of an installation installed before then has
    no known start and is left out, unless the installation is in ``complete`` (all reads loaded).
    """
    fully_loaded = complete if isinstance(complete, set | frozenset) else set(complete)
    periods: list[UsagePeriod] = []
    installations = list(installations)
    for installation in installations:
        known = (
            installation.installation_id in fully_loaded
            or loaded_from is None
            or installation.installed_on >= loaded_from
        )
        previous_on: dt.date | None = installation.installed_on if known else None
        for read in reads.get(installation.installation_id, ()):
            if read.status == EXCEPTION:
                continue
            if read.read_on > installation.installed_on and previous_on is not None:
                periods.append(UsagePeriod(previous_on, read.read_on, read.consumption_hcf or Decimal(0)))
            previous_on = read.read_on
    if len(installations) > 1:
        periods.sort(key=lambda period: (period.start, period.end))
    return periods


class ReadValidator:
    """Validates candidates one by one, remembering what it accepted so that later candidates of the
    same meter (in the same batch) chain on earlier ones. Feed each meter's candidates oldest first,
    or use :func:`validate_reads`, which orders them."""

    def __init__(self, context: ValidationContext) -> None:
        self.context = context
        self._chains: dict[int, _Chain] = {}
        self._history: dict[int, UsageIndex] = {}
        # worked out once per meter / service point, not per read (a batch has many reads of each)
        self._between: dict[int, Callable[[Decimal, Decimal], tuple[Decimal, bool]]] = {}
        self._spans: dict[int, tuple[tuple[dt.date, dt.date | None], ...]] = {}
        self._capacity: dict[int, int] = {}  # by dials

    # -- state ------------------------------------------------------------------------------------

    def installation_on(self, meter_id: int, day: dt.date) -> InstallationInfo | None:
        for installation in self.context.installations.get(meter_id, ()):
            # InstallationInfo.covers, inline: this runs for every read
            if installation.installed_on <= day and (
                installation.removed_on is None or day <= installation.removed_on
            ):
                return installation
        return None

    def _chain(self, installation: InstallationInfo) -> _Chain:
        chain = self._chains.get(installation.installation_id)
        if chain is None:
            chain = _Chain(installation)
            for read in self.context.reads.get(installation.installation_id, ()):
                chain.add(read.read_on, read.value, read.status, read.consumption_hcf)
            self._chains[installation.installation_id] = chain
        return chain

    def _usage(self, service_point_id: int) -> UsageIndex:
        index = self._history.get(service_point_id)
        if index is None:
            index = self._history[service_point_id] = UsageIndex(
                self.context.history.get(service_point_id, ())
            )
        return index

    def history(self, service_point_id: int) -> list[UsagePeriod]:
        """The service point's usage periods so far, with those accepted in this batch."""
        return self._usage(service_point_id).periods

    def position(self, installation: InstallationInfo) -> ChainPosition:
        chain = self._chain(installation)
        return ChainPosition(
            installation=installation,
            last_actual_on=chain.actual_on,
            last_actual_value=chain.actual_value,
            last_on=chain.last_on,
            last_value=chain.last_value,
            last_status=chain.last_status,
            estimates=chain.estimates,
            estimated_hcf=chain.estimated_hcf,
            last_review_on=chain.last_review_on,
        )

    def account_active(self, service_point_id: int, day: dt.date) -> bool:
        spans = self._spans.get(service_point_id)
        if spans is None:
            spans = self._spans[service_point_id] = tuple(
                (span.start, span.end) for span in self.context.service.get(service_point_id, ())
            )
        for start, end in spans:  # noqa: SIM110 - a loop is cheaper than any() over a generator
            if start <= day and (end is None or day <= end):
                return True
        return False

    # -- the rules --------------------------------------------------------------------------------

    def validate(self, candidate: Candidate) -> ReadResult:
        meter = self.context.meters.get(candidate.meter_serial)
        if meter is None:
            return ReadResult(
                candidate, Verdict.BAD, UNKNOWN_METER,
                f"No meter with serial number {candidate.meter_serial!r} in the inventory.",
            )  # fmt: skip
        value = parse_read_value(candidate.value)
        if value is None:
            return ReadResult(
                candidate, Verdict.BAD, NOT_NUMERIC,
                f"Read value {str(candidate.value).strip()!r} is not a register reading "
                f"(digits only, at most {MAX_DECIMAL_PLACES} decimal places).",
                meter_id=meter.meter_id,
            )  # fmt: skip
        register = meter.register
        capacity = self._capacity.get(register.dials)
        if capacity is None:
            capacity = self._capacity[register.dials] = register.capacity
        if value >= capacity:
            return ReadResult(
                candidate, Verdict.BAD, TOO_MANY_DIGITS,
                f"Read {shown(value)} has more digits than the {register.dials}-dial register of meter "
                f"{meter.serial_number} (at most {register.capacity - 1:,}).",
                meter_id=meter.meter_id, value=value,
            )  # fmt: skip
        if candidate.unit is not None and candidate.unit != register.read_unit:
            return ReadResult(
                candidate, Verdict.BAD, UNIT_MISMATCH,
                f"The file gives the read in {candidate.unit} but meter {meter.serial_number} reads in "
                f"{register.read_unit}.",
                meter_id=meter.meter_id, value=value,
            )  # fmt: skip
        installation = self.installation_on(meter.meter_id, candidate.read_on)
        if installation is None:
            return self._not_installed(candidate, meter, value)
        return self._validate_installed(candidate, meter, installation, value)

    def _not_installed(self, candidate: Candidate, meter: MeterInfo, value: Decimal) -> ReadResult:
        installations = self.context.installations.get(meter.meter_id, ())
        later = [i for i in installations if i.installed_on > candidate.read_on]
        if later:
            code = OUTSIDE_READ_WINDOW
            message = (
                f"Read date {candidate.read_on} is before meter {meter.serial_number} was installed "
                f"on {later[0].installed_on}."
            )
        else:
            code = NOT_INSTALLED
            removed = [i.removed_on for i in installations if i.removed_on is not None]
            message = (
                f"Meter {meter.serial_number} is not installed at any service point on {candidate.read_on}"
            )
            message += f" (it was removed on {max(removed)})." if removed else "."
        return ReadResult(candidate, Verdict.EXCEPTION, code, message, meter_id=meter.meter_id, value=value)

    def _validate_installed(
        self, candidate: Candidate, meter: MeterInfo, installation: InstallationInfo, value: Decimal
    ) -> ReadResult:
        chain = self._chain(installation)
        read_on = candidate.read_on
        key = (read_on, value)
        code = message = ""
        if key in chain.accepted_keys or (key in chain.review_keys and candidate.source != SOURCE_FIELD):
            code, message = (
                DUPLICATE,
                f"Meter {meter.serial_number} already has the read {shown(value)} on {read_on}.",
            )
        elif read_on <= chain.last_on:
            kind = "estimated read" if chain.last_status == ESTIMATED else "read"
            code, message = (
                OUTSIDE_READ_WINDOW,
                (
                    f"Read date {read_on} is not after the last {kind} of meter {meter.serial_number} "
                    f"({shown(chain.last_value)} on {chain.last_on}); reads must come in date order."
                ),
            )
        estimated = candidate.source == SOURCE_ESTIMATED
        base_on, base_value = (
            (chain.last_on, chain.last_value) if estimated else (chain.actual_on, chain.actual_value)
        )
        if not code:
            between = self._between.get(meter.meter_id)
            if between is None:
                between = self._between[meter.meter_id] = hcf_between(meter.register)
            try:
                used_hcf, rolled_over = between(base_value, value)
                if rolled_over and not self._plausible_rollover(
                    meter.register, installation, base_value, value, used_hcf, base_on, read_on
                ):
                    raise NotPlausibleError
            except NotPlausibleError:
                code = LOWER_THAN_PREVIOUS
                message = (
                    not_plausible_rollover(
                        meter.register, previous=base_value, current=value, on=f" on {base_on}", what="meter"
                    )
                    + "."
                )
        if code:
            if code != DUPLICATE:
                chain.review_keys.add(key)
            verdict = _BAD if code == DUPLICATE else _EXCEPTION
            return ReadResult(
                candidate, verdict, code, message, meter.meter_id, installation.installation_id,
                installation.service_point_id, value,
            )  # fmt: skip
        usage = used_hcf.quantize(HCF_PLACES, ROUND_HALF_UP)
        consumption = usage if estimated else usage - chain.estimated_hcf
        days = (read_on - base_on).days
        history = self._usage(installation.service_point_id)
        code, message = self._rule(candidate, chain, installation, usage, consumption, base_on, days, history)
        if code:
            chain.review_keys.add(key)
        else:
            history.append(UsagePeriod(chain.last_on, read_on, consumption))
            chain.add(read_on, value, ESTIMATED if estimated else ACTUAL, consumption)
        return ReadResult(
            candidate, _EXCEPTION if code else _ACCEPTED, code, message, meter.meter_id,
            installation.installation_id, installation.service_point_id, value, consumption, rolled_over,
            usage, days,
        )  # fmt: skip

    def _plausible_rollover(
        self,
        register: Register,
        installation: InstallationInfo,
        previous: Decimal,
        current: Decimal,
        used_hcf: Decimal,
        base_on: dt.date,
        read_on: dt.date,
    ) -> bool:
        """A lower read is a rollover only when the use it means is believable: within the high-use
        limit of the meter's usual daily use, or, with no usual use known, at most a tenth of the
        register (60,000 → 10,000 on 5 dials would be 50,000 CF: held, not billed)."""
        days = (read_on - base_on).days
        expected = self._usage(installation.service_point_id).expected_daily_use(base_on, read_on)
        if expected is not None and expected.hcf_per_day > 0 and days > 0:
            percent = used_hcf * 100 / (expected.hcf_per_day * days)
            return percent <= self.context.thresholds.high_percent
        units = rollover_units(register, previous=previous, current=current)
        return units <= register.capacity * register.multiplier * NO_HISTORY_ROLLOVER_FRACTION

    def _rule(
        self,
        candidate: Candidate,
        chain: _Chain,
        installation: InstallationInfo,
        usage: Decimal,
        consumption: Decimal,
        base_on: dt.date,
        days: int,
        history: UsageIndex,
    ) -> tuple[str, str]:
        read_on = candidate.read_on
        limits = self.context.thresholds
        if read_on > self.context.as_of:
            return (
                OUTSIDE_READ_WINDOW,
                f"Read date {read_on} is in the future (today is {self.context.as_of}).",
            )
        if candidate.source == SOURCE_ESTIMATED:
            if chain.estimates >= limits.max_consecutive_estimates:
                return TOO_MANY_ESTIMATES, (
                    f"{chain.estimates} estimated reads in a row since the last actual read on "
                    f"{chain.actual_on}; the limit is {limits.max_consecutive_estimates}: "
                    "a field read is needed."
                )
            return "", ""
        if consumption < 0:
            return TRUE_UP_CREDIT, (
                f"Actual use since the read on {base_on} is {_hcf(usage)} HCF, less than the "
                f"{_hcf(chain.estimated_hcf)} HCF already billed on {chain.estimates} estimated read(s): "
                f"a credit of {_hcf(-consumption)} HCF."
            )
        service_point_id = installation.service_point_id
        if not self.account_active(service_point_id, read_on):
            if usage > 0:
                return USAGE_ON_INACTIVE_ACCOUNT, (
                    f"{_hcf(usage)} HCF used since {base_on} but no account has service here on {read_on}."
                )
            return "", ""
        if days < USAGE_RULES_MIN_DAYS:
            return "", ""
        if usage == 0:
            return ZERO_CONSUMPTION, (
                f"No use registered in {days} days since the read on {base_on}, on an active account."
            )
        expected = history.expected_daily_use(base_on, read_on)
        percent = usage_percent(usage, days, expected)
        if expected is None or percent is None:
            return "", ""
        high = high_use_percent(usage, days, expected, high_percent=limits.high_percent) is not None
        if high or percent < limits.low_percent:
            return HIGH_USAGE if high else LOW_USAGE, (
                f"Use of {_hcf(usage)} HCF over {days} days ({usage / days:.2f} HCF/day) is {percent:.0f}% "
                f"of the usual {expected.hcf_per_day:.2f} HCF/day ({expected.basis_label}); "
                f"the {'high' if high else 'low'} limit is "
                f"{limits.high_percent if high else limits.low_percent}%."
            )
        return "", ""


def usage_percent(usage_hcf: Decimal, days: int, usual: DailyUse | None) -> Decimal | None:
    """Use over ``days`` days as a percentage of the usual daily use; None without a usual use."""
    if usual is None or usual.hcf_per_day <= 0 or days <= 0:
        return None
    return usage_hcf * 100 / (usual.hcf_per_day * days)


def high_use_percent(
    usage_hcf: Decimal, days: int, usual: DailyUse | None, *, high_percent: int
) -> Decimal | None:
    """The one high-use rule: use over a billing-length period (at least :data:`USAGE_RULES_MIN_DAYS`
    days) above ``high_percent`` % of the usual daily use (:func:`~civicbill.meters.estimation.
    expected_daily_use`: same period last year, else the last 12 months). The read exception that
    raises the high-usage letter and the bill's high-use message both ask it. Returns the percentage,
    or None when the use is not high."""
    if days < USAGE_RULES_MIN_DAYS or usage_hcf <= 0:
        return None
    percent = usage_percent(usage_hcf, days, usual)
    return percent if percent is not None and percent > high_percent else None


def iter_validated(
    candidates: Sequence[Candidate], validator: ReadValidator
) -> Iterator[tuple[int, ReadResult]]:
    """``(index in candidates, result)`` for each candidate, one meter after another, each meter's reads
    oldest first (a stable order, so of two equal rows the earlier line is kept). Lazy: a caller can
    store results while later ones are still being validated."""
    by_meter: dict[str, list[int]] = {}
    for index, candidate in enumerate(candidates):
        by_meter.setdefault(candidate.meter_serial, []).append(index)
    validate = validator.validate
    for indexes in by_meter.values():
        if any(candidates[a].read_on > candidates[b].read_on for a, b in pairwise(indexes)):
            indexes.sort(key=lambda i: candidates[i].read_on)
        for index in indexes:
            yield index, validate(candidates[index])


def validate_reads(
    candidates: Sequence[Candidate],
    context: ValidationContext,
    *,
    validator: ReadValidator | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 50_000,
) -> list[ReadResult]:
    """Validate a batch; results come back in the order of ``candidates`` (see :func:`iter_validated`).
    ``progress`` is called with the number validated so far, every ``progress_every`` reads."""
    results: list[ReadResult | None] = [None] * len(candidates)
    done = 0
    for index, result in iter_validated(candidates, validator or ReadValidator(context)):
        results[index] = result
        done += 1
        if progress is not None and done % progress_every == 0:
            progress(done)
    if progress is not None:
        progress(done)
    return results  # type: ignore[return-value]
