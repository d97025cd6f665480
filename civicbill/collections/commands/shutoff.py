"""Shutoff sub-commands of ``civicbill collections`` (docs/cli.md):

- ``eligibility NUMBER --date D [--json]``: may the account be shut off on D, and if not, which rules
  block it and the earliest date;
- ``shutoff-list --date D [--json]``: the accounts that may be disconnected on D, with the proof;
- ``shutoff-schedule NUMBER... --date D --user U``: DISCONNECT work orders for those eligible on D;
- ``shutoff-result WORK_ORDER --result R --date D --user U``: the field result of a shutoff;
- ``posted-notice WORK_ORDER --at "YYYY-MM-DD HH:MM" --user U``: a 48-hour notice was posted;
- ``reconnect NUMBER [--after-hours] [--date D] --user U``: order the reconnection (fee, deposit).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import CommandError

from civicbill.collections.eligibility_selectors import (
    account_eligibility,
    decision_payload,
    shutoff_list_rows,
)
from civicbill.collections.models import Shutoff
from civicbill.collections.shutoff_services import (
    FIELD_RESULTS,
    reconnect_order,
    shutoff_result_record,
    shutoff_schedule,
)
from civicbill.collections.shutoff_steps import posted_notice_record
from civicbill.core import clock
from civicbill.core.commands import add_user_argument, date_type
from civicbill.core.money import format_cents


def _local_time(text: str) -> dt.datetime:
    try:
        day, time = text.strip().split(" ")
        return dt.datetime.combine(
            dt.date.fromisoformat(day), dt.time.fromisoformat(time), clock.utility_zone()
        )
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--at {text!r} is not a time like 2027-01-25 15:00") from error


def add_parsers(sub: argparse._SubParsersAction) -> None:
    eligibility = sub.add_parser("eligibility", help="may an account be shut off for nonpayment on a date")
    eligibility.add_argument("number", help="the account number")
    eligibility.add_argument("--date", type=date_type("--date"), help="the shutoff date (default: today)")
    eligibility.add_argument("--json", action="store_true", help="print the decision as JSON")

    listing = sub.add_parser("shutoff-list", help="accounts that may be disconnected on a date, with proof")
    listing.add_argument("--date", type=date_type("--date"), help="the shutoff date (default: today)")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")

    schedule = sub.add_parser("shutoff-schedule", help="schedule shutoffs (DISCONNECT work orders)")
    schedule.add_argument("numbers", nargs="+", metavar="NUMBER", help="account numbers")
    schedule.add_argument("--date", type=date_type("--date"), required=True, help="the shutoff date")
    schedule.add_argument("--json", action="store_true", help="print what was scheduled and refused as JSON")
    add_user_argument(schedule)

    result = sub.add_parser("shutoff-result", help="record the field result of a scheduled shutoff")
    result.add_argument("work_order", help="the DISCONNECT work order number (WO-...)")
    result.add_argument("--result", required=True, choices=[str(r) for r in FIELD_RESULTS])
    result.add_argument("--date", type=date_type("--date"), help="when it was worked (default: today)")
    result.add_argument("--note", default="", help="what the field found")
    result.add_argument("--json", action="store_true")
    add_user_argument(result)

    posted = sub.add_parser("posted-notice", help="record that a 48-hour notice was posted at the premise")
    posted.add_argument("work_order", help="the POST_NOTICE work order number (WO-...)")
    posted.add_argument("--at", dest="posted_at", type=_local_time, required=True, help="YYYY-MM-DD HH:MM")
    posted.add_argument("--json", action="store_true")
    add_user_argument(posted)

    reconnect = sub.add_parser("reconnect", help="order the reconnection of a disconnected account")
    reconnect.add_argument("number", help="the account number")
    reconnect.add_argument("--after-hours", dest="after_hours", action="store_true", help="after-hours fee")
    reconnect.add_argument("--date", type=date_type("--date"), help="the reconnection date (default: today)")
    reconnect.add_argument("--json", action="store_true")
    add_user_argument(reconnect)


def _eligibility(command: Any, options: dict[str, Any]) -> None:
    day = options["date"] or clock.today()
    account, _, decision = account_eligibility(options["number"], day)
    payload = decision_payload(account.number, day, decision)
    if decision.eligible:
        text = f"{account.number} may be shut off on {day:%Y-%m-%d}:\n" + "\n".join(
            f"  ok  {reason.message}" for reason in decision.proof
        )
    else:
        earliest = f"{decision.earliest_date:%Y-%m-%d}" if decision.earliest_date else "none"
        text = (
            f"{account.number} may not be shut off on {day:%Y-%m-%d} (earliest date: {earliest}):\n"
            + "\n".join(f"  {reason.rule}: {reason.message}" for reason in decision.reasons)
        )
    command.emit(options, payload, text)


def _list(command: Any, options: dict[str, Any]) -> None:
    day = options["date"] or clock.today()
    rows = shutoff_list_rows(day)
    lines = [f"{len(rows)} account(s) may be disconnected on {day:%Y-%m-%d}"]
    for row in rows:
        lines.append(
            f"{row['account']}  {row['name']}  {row['service_address']}  "
            f"{format_cents(int(str(row['past_due_cents'])))} past due, {row['days_delinquent']} days"
        )
    command.emit(options, {"date": day.isoformat(), "accounts": rows}, "\n".join(lines))


def _schedule(command: Any, options: dict[str, Any]) -> None:
    actor = command.actor(options)
    outcome = shutoff_schedule(
        account_numbers=options["numbers"],
        on=options["date"],
        actor=actor,
        at=clock.now(),
        as_of=clock.today(),
    )
    payload = {
        "date": options["date"].isoformat(),
        "scheduled": [
            {
                "account": s.account.number,
                "work_order": s.work_order.number,
                "past_due_cents": s.past_due_cents,
            }
            for s in outcome.scheduled
        ],
        "refused": {number: [r.as_dict() for r in reasons] for number, reasons in outcome.refused.items()},
    }
    lines = [f"Scheduled {s.account.number}: {s.work_order.number}" for s in outcome.scheduled]
    lines += [
        f"Refused {number}: " + "; ".join(r.message for r in reasons)
        for number, reasons in outcome.refused.items()
    ]
    command.emit(options, payload, "\n".join(lines))


def _result(command: Any, options: dict[str, Any]) -> None:
    actor = command.actor(options)
    shutoff = Shutoff.objects.filter(work_order__number=options["work_order"].strip()).first()
    if shutoff is None:
        raise CommandError(f"{options['work_order']} is not a scheduled shutoff's work order")
    today = clock.today()
    shutoff = shutoff_result_record(
        shutoff_id=shutoff.pk,
        result=options["result"],
        on=options["date"] or today,
        note=options["note"],
        actor=actor,
        at=clock.now(),
        as_of=today,
    )
    payload = {"work_order": options["work_order"], "result": shutoff.result, "date": str(shutoff.result_on)}
    command.emit(options, payload, f"{options['work_order']}: {shutoff.get_result_display()}")


def _posted(command: Any, options: dict[str, Any]) -> None:
    actor = command.actor(options)
    attempt = posted_notice_record(
        work_order_number=options["work_order"],
        posted_at=options["posted_at"],
        actor=actor,
        at=clock.now(),
        as_of=clock.today(),
    )
    payload = {"work_order": options["work_order"], "posted_at": attempt.attempted_at.isoformat()}
    command.emit(options, payload, f"48-hour notice posted ({options['work_order']})")


def _reconnect(command: Any, options: dict[str, Any]) -> None:
    actor = command.actor(options)
    today = clock.today()
    reconnection = reconnect_order(
        account_number=options["number"],
        on=options["date"] or today,
        after_hours=options["after_hours"],
        actor=actor,
        at=clock.now(),
        as_of=today,
    )
    payload = {
        "account": reconnection.account.number,
        "work_order": reconnection.work_order.number,
        "after_hours": reconnection.after_hours,
        "fee_cents": reconnection.fee_cents,
        "deposit_cents": reconnection.deposit_cents,
        "reason": reconnection.reason,
    }
    text = (
        f"Reconnection ordered for {reconnection.account.number} ({reconnection.work_order.number}): "
        f"fee {format_cents(reconnection.fee_cents)}, deposit {format_cents(reconnection.deposit_cents)}"
    )
    command.emit(options, payload, text)


HANDLERS = {
    "eligibility": _eligibility,
    "shutoff-list": _list,
    "shutoff-schedule": _schedule,
    "shutoff-result": _result,
    "posted-notice": _posted,
    "reconnect": _reconnect,
}
