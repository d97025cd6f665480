"""What completing a work order needs, as pure rules (no database): the completion form shows
these problems next to their fields, and ``workorder_complete`` applies the same rules again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civicbill.workorders.models import WorkOrderType

READ_WORK_TYPES = (WorkOrderType.REREAD, WorkOrderType.MOVE_IN_READ, WorkOrderType.MOVE_OUT_READ)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    code: str = "invalid"


def completion_problems(
    *,
    number: str,
    work_type: str,
    created_on: dt.date,
    completed_on: dt.date,
    as_of: dt.date,
    findings: str,
    has_read: bool,
    has_exchange: bool,
) -> list[Problem]:
    """Every reason the completion as given cannot be accepted (empty when it can)."""
    problems: list[Problem] = []
    if completed_on > as_of:
        problems.append(
            Problem(
                "completed_on",
                f"Completion date {completed_on:%Y-%m-%d} is in the future (today is {as_of:%Y-%m-%d}).",
            )
        )
    elif completed_on < created_on:
        problems.append(
            Problem(
                "completed_on",
                f"Completion date {completed_on:%Y-%m-%d} is before {number} was created "
                f"({created_on:%Y-%m-%d}).",
            )
        )
    if has_read and has_exchange:
        problems.append(
            Problem(
                "read_value",
                "Give either a read or a meter exchange, not both: an exchange takes the old meter's "
                "removal read and the new meter's install read.",
            )
        )
    elif work_type == WorkOrderType.METER_EXCHANGE and not has_exchange:
        problems.append(
            Problem(
                "new_meter_serial",
                f"{number} is a meter exchange: give the new meter's serial number and both reads.",
                "required",
            )
        )
    elif work_type in READ_WORK_TYPES and not has_read and not findings:
        problems.append(
            Problem(
                "read_value",
                f"{number} is a {WorkOrderType(work_type).label.lower()}: give the read, or say in the "
                "findings why the meter could not be read.",
                "required",
            )
        )
    elif not has_read and not has_exchange and not findings:
        problems.append(Problem("findings", "Say what was found and done (the findings).", "required"))
    return problems
