"""``civicbill collections arrangement create|show|cancel NUMBER``: payment arrangements.

- ``arrangement create NUMBER --kind amortization --months N --first-due D`` (or ``--kind deferral
  --first-due D``, or ``--kind alternative --installment D=AMOUNT ...``) ``[--amount A] [--terms T]
  [--language en|es] --user U``: record an arrangement made now on the past-due balance (or ``--amount``);
- ``arrangement show NUMBER``: the account's latest arrangement with its schedule and standing;
- ``arrangement cancel NUMBER --reason T --user U``: end its honoured arrangement.

Every one takes ``--json``.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from civicbill.collections.models import Arrangement, ArrangementKind, ArrangementStatus
from civicbill.collections.services.arrangements import (
    arrangement_cancel,
    arrangement_create,
    arrangement_standings,
    installments_of,
)
from civicbill.core import clock
from civicbill.core.commands import add_user_argument, date_type, parse_date
from civicbill.core.money import Money, format_cents
from civicbill.customers import selectors as customer_selectors


def add_parsers(sub: argparse._SubParsersAction) -> None:
    arrangement = sub.add_parser("arrangement", help="payment arrangements on delinquent balances")
    actions = arrangement.add_subparsers(dest="arrangement_action", required=True)
    create = actions.add_parser("create", help="record a payment arrangement made now")
    create.add_argument("number", help="the account number")
    create.add_argument("--kind", required=True, choices=ArrangementKind.values)
    create.add_argument("--months", type=int, help="amortization: the number of monthly installments")
    create.add_argument("--first-due", dest="first_due", type=date_type("--first-due"), help="first due date")
    create.add_argument(
        "--installment", action="append", default=[], dest="installments", metavar="DATE=AMOUNT",
        help="alternative schedule: one installment (repeat, dates in order)",
    )  # fmt: skip
    create.add_argument("--amount", help="the balance arranged (default: the past-due balance)")
    create.add_argument("--terms", default="")
    create.add_argument(
        "--language", choices=("en", "es"), help="the agreement's language (default: the customer's)"
    )
    show = actions.add_parser("show", help="the account's latest arrangement and its schedule")
    show.add_argument("number")
    cancel = actions.add_parser("cancel", help="cancel the account's honoured arrangement")
    cancel.add_argument("number")
    cancel.add_argument("--reason", required=True)
    for parser in (create, cancel):
        add_user_argument(parser)
    for parser in (create, show, cancel):
        parser.add_argument("--json", action="store_true")


def arrangement_payload(arrangement: Arrangement) -> dict[str, Any]:
    standing = arrangement_standings([arrangement], clock.today())[arrangement.pk]
    return {
        "id": arrangement.pk,
        "account": arrangement.account.number,
        "kind": arrangement.kind,
        "status": arrangement.status,
        "delinquent_cents": arrangement.delinquent_cents,
        "agreed_on": arrangement.agreed_on.isoformat(),
        "language": arrangement.language,
        "terms": arrangement.terms,
        "ended_on": arrangement.ended_on.isoformat() if arrangement.ended_on else None,
        "end_reason": arrangement.end_reason,
        "installments": [
            {"sequence": i.sequence, "due_on": i.due_on.isoformat(), "amount_cents": i.amount_cents}
            for i in installments_of(arrangement)
        ],
        "covered_cents": standing.covered_cents,
        "installments_paid": standing.paid,
    }


def _text(payload: dict[str, Any]) -> str:
    lines = [
        f"Arrangement {payload['id']} on {payload['account']}: {payload['kind']}, {payload['status']}, "
        f"{format_cents(payload['delinquent_cents'])} agreed {payload['agreed_on']}"
    ]
    if payload["ended_on"]:
        lines.append(f"ended {payload['ended_on']}: {payload['end_reason']}")
    lines += [
        f"  {i['sequence']:>2}  {i['due_on']}  {format_cents(i['amount_cents']):>12}"
        for i in payload["installments"]
    ]
    lines.append(
        f"paid so far: {format_cents(payload['covered_cents'])} ({payload['installments_paid']} installments)"
    )
    return "\n".join(lines)


def _installment(text: str) -> tuple[Any, int]:
    day, sep, amount = text.partition("=")
    if not sep:
        raise CommandError(f"--installment {text!r}: write DATE=AMOUNT, e.g. 2027-01-15=40.00")
    return parse_date(day.strip(), "--installment"), Money.parse(amount.strip()).cents


def _latest(number: str) -> Arrangement:
    account = customer_selectors.account_get(number)
    arrangement = Arrangement.objects.filter(account=account).order_by("-agreed_on", "-id").first()
    if arrangement is None:
        raise CommandError(f"Account {account.number} has no payment arrangement")
    return arrangement


def _arrangement(command: Any, options: dict[str, Any]) -> None:
    action = options["arrangement_action"]
    if action == "show":
        payload = arrangement_payload(_latest(options["number"]))
        command.emit(options, payload, _text(payload))
        return
    actor = command.actor(options)
    now = clock.now()
    if action == "create":
        account = customer_selectors.account_get(options["number"])
        pairs = [_installment(text) for text in options["installments"]]
        arrangement = arrangement_create(
            account=account,
            kind=options["kind"],
            amount_cents=Money.parse(options["amount"]).cents if options["amount"] else None,
            months=options["months"],
            first_due_on=options["first_due"],
            dates=[day for day, _ in pairs],
            amounts=[cents for _, cents in pairs],
            terms=options["terms"],
            language=options["language"],
            actor=actor,
            at=now,
        )
    else:
        arrangement = _latest(options["number"])
        if arrangement.status != ArrangementStatus.ACTIVE:
            raise CommandError(f"Account {arrangement.account.number} has no honoured arrangement to cancel")
        arrangement = arrangement_cancel(
            arrangement=arrangement, reason=options["reason"], actor=actor, at=now
        )
    payload = arrangement_payload(arrangement)
    command.emit(options, payload, _text(payload))


HANDLERS = {"arrangement": _arrangement}
