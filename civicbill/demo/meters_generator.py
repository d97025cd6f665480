"""Synthetic meters and 14 months of reads for the demo city, as pure data (no database).

A desert pattern: summer use about twice winter use; single-family homes average ~14 HCF a month,
multi-family scale with their units, commercial and irrigation use more. A few premises have a leak
(steady extra use for the last two months), a few registers sit near their capacity so they roll over,
a month of a few meters' history was estimated (no read; the next read trued it up), some of the open
month's reads are missing (the billing run estimates them) and a few last reads are unusually high or
below the previous one, so the exceptions queue has real work in it. The same seed always gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from civicbill.demo.generator import DemoAccount

# month -> factor (Jan..Dec): the Coachella Valley peaks in July/August
SEASON = (0.65, 0.7, 0.85, 1.0, 1.2, 1.45, 1.6, 1.55, 1.35, 1.1, 0.85, 0.7)
SPIKE_SHARE = 0.005  # of the meters: the open month's read is a spike (held for review)
MISTYPED_SHARE = 0.003  # ... is below the previous read (held)
LEAK_SHARE = 0.005  # ... leaks (25 HCF a month more for the last two months: the open month's read is held)
MAKES = (("Badger", "Recordall M25"), ("Neptune", "T-10"), ("Sensus", "iPERL"), ("Mueller", "SSM"))


@dataclass(frozen=True)
class DemoRead:
    read_on: dt.date
    value: Decimal  # register value


@dataclass(frozen=True)
class DemoMeter:
    serial_number: str
    make: str
    model: str
    size: str
    meter_type: str
    dials: int
    read_unit: str
    endpoint_id: str
    account_sequence: int | None  # None: in stock
    installed_on: dt.date | None
    install_read: Decimal
    reads: tuple[DemoRead, ...]  # history, oldest first, excluding the latest read
    latest_read: DemoRead | None  # the read to import through validation (may be high, low, lower...)
    leak: bool = False
    estimated_on: tuple[dt.date, ...] = ()  # the days of ``reads`` that were estimated (no read taken)


def _size_for(account: DemoAccount, rng: random.Random) -> str:
    if account.premise_type == "single_family":
        return rng.choice(("5/8", "5/8", "3/4"))
    if account.premise_type == "multi_family":
        return "1" if account.dwelling_units <= 4 else rng.choice(("1-1/2", "2"))
    if account.premise_type == "irrigation":
        return rng.choice(("2", "3"))
    if any(a.service == "fire_line" for a in account.agreements):  # a fire line is 1-1/2" or more
        return rng.choice(("1-1/2", "2", "2"))
    return rng.choice(("1", "1-1/2", "2"))


def _monthly_hcf(account: DemoAccount, rng: random.Random) -> float:
    base = {
        "single_family": 14.0,
        "multi_family": 9.0 * account.dwelling_units,
        "commercial": 45.0,
        "irrigation": 120.0,
    }.get(account.premise_type, 14.0)
    return base * rng.uniform(0.6, 1.5)


def read_dates(last_read_on: dt.date, months: int = 14) -> list[dt.date]:
    """Monthly read dates ending on ``last_read_on`` (same day of month, clamped to 28)."""
    day = min(last_read_on.day, 28)
    dates = []
    year, month = last_read_on.year, last_read_on.month
    for _ in range(months):
        dates.append(dt.date(year, month, day))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return sorted(dates)


def generate_meters(
    *, accounts: list[DemoAccount], seed: int, last_read_on: dt.date, in_stock: int | None = None
) -> list[DemoMeter]:
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 - synthetic demo data
    dates = read_dates(last_read_on)
    meters: list[DemoMeter] = []
    for account in accounts:
        if not any(a.service == "water" for a in account.agreements):
            continue
        make, model = rng.choice(MAKES)
        gallons = rng.random() < 0.1
        unit = "GAL" if gallons else "CF"
        dials = 7 if gallons else rng.choice((5, 5, 6))
        per_unit = 748 if gallons else 100  # register units per HCF
        monthly = _monthly_hcf(account, rng)
        while 10**dials < monthly * per_unit * 20:  # big users get registers that wrap rarely
            dials += 1
        capacity = 10**dials
        near_capacity = rng.random() < 0.02
        start = capacity - int(monthly * per_unit * 3) if near_capacity else rng.randint(0, capacity // 20)
        value = start
        leak = rng.random() < LEAK_SHARE
        reads: list[DemoRead] = []
        for index, read_on in enumerate(dates):
            factor = SEASON[read_on.month - 1] * rng.uniform(0.85, 1.15)
            used_hcf = monthly * factor
            if leak and index >= len(dates) - 2:
                used_hcf += 25
            value = (value + int(used_hcf * per_unit)) % capacity
            reads.append(DemoRead(read_on=read_on, value=Decimal(value)))
        latest = reads.pop()
        roll = rng.random()
        # the open month's reads: about 0.5 % spikes and 0.3 % mistyped reads go to the exceptions
        # queue (with the leaks, about 1.3 % of the reads: a realistic share, so the month bills
        # with few holds), 2 % are not read (estimated by the billing run's missing-read policy).
        # The random draws are the same whatever the shares (the rest of the city stays the same).
        if roll < 0.02:
            extra = int(monthly * per_unit * rng.uniform(2.5, 4))
            if roll < SPIKE_SHARE:  # an unusually high last read (a spike, a misread)
                latest = DemoRead(latest.read_on, Decimal((int(latest.value) + extra) % capacity))
        elif roll < 0.03:
            below = rng.randint(5, 50)
            if roll < 0.02 + MISTYPED_SHARE:  # a mistyped read below the previous one
                latest = DemoRead(latest.read_on, Decimal(max(0, int(reads[-1].value) - below)))
        elif roll < 0.05:  # no read this month: to be estimated
            latest = None  # type: ignore[assignment]
        missing_history = rng.random() < 0.03
        estimated_on: tuple[dt.date, ...] = ()
        if missing_history and len(reads) > 3:
            # a month the meter was not read: estimated then (the missing-read policy), trued up by
            # the next actual read
            index = rng.randint(1, len(reads) - 2)
            reads[index] = _estimated(reads, index, capacity)
            estimated_on = (reads[index].read_on,)
        installed_on = dates[0] - dt.timedelta(days=rng.randint(30, 2000))
        meters.append(
            DemoMeter(
                serial_number=f"{make[:2].upper()}{20_000_000 + len(meters):08d}",
                make=make,
                model=model,
                size=_size_for(account, rng),
                meter_type="ami" if rng.random() < 0.25 else "amr",
                dials=dials,
                read_unit=unit,
                endpoint_id=f"EP{5_000_000 + len(meters):07d}",
                account_sequence=account.sequence,
                installed_on=installed_on,
                install_read=Decimal(start),
                reads=tuple(reads),
                latest_read=latest,
                leak=leak,
                estimated_on=estimated_on,
            )
        )
    stock = in_stock if in_stock is not None else max(1, len(meters) // 30)
    for number in range(stock):
        make, model = rng.choice(MAKES)
        meters.append(
            DemoMeter(
                serial_number=f"{make[:2].upper()}{30_000_000 + number:08d}",
                make=make,
                model=model,
                size=rng.choice(("5/8", "5/8", "3/4", "1", "2")),
                meter_type="amr",
                dials=5,
                read_unit="CF",
                endpoint_id="",
                account_sequence=None,
                installed_on=None,
                install_read=Decimal(0),
                reads=(),
                latest_read=None,
            )
        )
    return meters


def _estimated(reads: list[DemoRead], index: int, capacity: int) -> DemoRead:
    """The estimate that stood in for ``reads[index]``: the previous period's use (half the two
    months' when there is no previous period), never more than the next actual read, so the next
    read's true-up is never negative."""
    previous, following = int(reads[index - 1].value), int(reads[index + 1].value)
    span = (following - previous) % capacity
    before = (previous - int(reads[index - 2].value)) % capacity if index >= 2 else span // 2
    return DemoRead(reads[index].read_on, Decimal((previous + min(before, span)) % capacity))


# hour of day -> share of a day's use (a household: night near zero, morning and evening peaks)
HOURLY_SHAPE = (0, 0, 0, 0, 0, 0.5, 2.2, 2.6, 1.6, 0.8, 0.6, 0.6, 0.7, 0.6, 0.6, 0.7, 0.9, 1.5, 2.0,
                1.9, 1.4, 1.0, 0.5, 0.2)  # fmt: skip
LEAK_UNITS_PER_HOUR = {"CF": Decimal(2), "GAL": Decimal(15)}  # a running toilet: about 15 gallons an hour


def hourly_intervals(
    meter: DemoMeter, *, end: dt.datetime, days: int = 7, seed: int = 1
) -> list[tuple[dt.datetime, Decimal]]:
    """AMI hourly use (register units) for the ``days`` days before ``end`` (aware, on the hour): the
    household shape scaled to the meter's recent monthly use; a leaking meter never reaches zero."""
    if len(meter.reads) < 2:
        return []
    rng = random.Random(f"{seed}:{meter.serial_number}")  # noqa: S311 - synthetic demo data
    capacity = 10**meter.dials
    monthly_units = (int(meter.reads[-1].value) - int(meter.reads[-2].value)) % capacity
    per_hour = Decimal(monthly_units) / Decimal(30 * sum(HOURLY_SHAPE))
    leak = LEAK_UNITS_PER_HOUR.get(meter.read_unit, Decimal(2)) if meter.leak else Decimal(0)
    start = end - dt.timedelta(days=days)
    intervals = []
    for hour in range(days * 24):
        at = start + dt.timedelta(hours=hour)
        shape = Decimal(str(HOURLY_SHAPE[at.hour])) * Decimal(str(round(rng.uniform(0.6, 1.4), 2)))
        intervals.append((at, (per_hour * shape + leak).quantize(Decimal("0.001"))))
    return intervals
