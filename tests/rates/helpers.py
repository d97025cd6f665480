"""Building rating plans from schedule files for the pure engine tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from civicbill.rates.engine import rate_period
from civicbill.rates.schedule_format import parse_schedule
from civicbill.rates.types import Determinants, PlanVersion, RatingPlan, RatingResult

COACHELLA = Path(__file__).resolve().parents[2] / "civicbill" / "rates" / "schedules" / "coachella"
OWRS_DIR = Path(__file__).resolve().parents[1] / "data" / "owrs"  # copies of the shared samples
NOV_START, NOV_END = dt.date(2026, 10, 29), dt.date(2026, 11, 28)  # a 31-day monthly period


def plan_from_texts(*texts: str) -> RatingPlan:
    versions = []
    for number, text in enumerate(texts, start=1):
        parsed = parse_schedule(text)
        versions.append(
            PlanVersion(
                version_id=number,
                effective_from=parsed.effective_from,
                document=parsed.document,
                label=f"{parsed.code} from {parsed.effective_from}",
            )
        )
    return RatingPlan(code=parsed.code, service=parsed.service, versions=tuple(versions))


def demo_plan(code: str) -> RatingPlan:
    return plan_from_texts((COACHELLA / f"{code}.yaml").read_text())


def rate(
    plan: RatingPlan,
    usage: str | int = 0,
    *,
    customer_class: str = "RESIDENTIAL_SINGLE",
    meter_size: str | None = "3/4",
    dwelling_units: int = 1,
    start: dt.date = NOV_START,
    end: dt.date = NOV_END,
    **variables: str,
) -> RatingResult:
    return rate_period(
        plan=plan,
        determinants=Determinants(
            usage_hcf=Decimal(str(usage)),
            customer_class=customer_class,
            meter_size=meter_size,
            dwelling_units=dwelling_units,
            variables={
                name: Decimal(value) if value[:1].isdigit() else value for name, value in variables.items()
            },
        ),
        period_start=start,
        period_end=end,
    )


def amounts(result: RatingResult) -> list[tuple[str, str]]:
    return [(line.description, str(line.amount)) for line in result.lines]
