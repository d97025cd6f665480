"""``civicbill collections appeal|certify|contact|moratorium ...``: bill reviews and appeals,
certifications, third-party contacts and emergency moratoriums.

- ``appeal open NUMBER --reason T [--kind bill_review|appeal] [--bill B] --user U``;
  ``appeal decide ID --status upheld|adjusted|withdrawn --outcome T [--entry UUID] --user U``;
  ``appeal list NUMBER``;
- ``certify low-income NUMBER --program P --starts D [--expires D] [--evidence T] --user U``;
  ``certify medical NUMBER --provider T --starts D [--expires D] [--evidence T] --user U``;
  ``certify revoke ID --reason T [--on D] --user U``; ``certify list NUMBER``;
- ``contact add NUMBER --reason senior|dependent_adult --name T --line1 T --city T --zip Z [--line2 T]
  [--state XX] [--phone T] [--language en|es] [--starts D] --user U``; ``contact end ID [--on D] --user U``;
- ``moratorium declare --from D --to D --reason T [--scope all|cycle|zip|route] [--value V] --user U``;
  ``moratorium lift ID [--on D] --user U``; ``moratorium list [--in-force-on D]``.

Every one takes ``--json``.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from civicbill.collections.models import (
    Appeal,
    Certification,
    IncomeProgram,
    Moratorium,
    MoratoriumScope,
    ThirdPartyContact,
)
from civicbill.collections.protections import moratoriums_on
from civicbill.collections.services import appeals, certifications, moratoriums
from civicbill.core import clock
from civicbill.core.commands import add_user_argument, date_type
from civicbill.customers import selectors as customer_selectors


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def appeal_payload(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "account": appeal.account.number,
        "kind": appeal.kind,
        "bill": appeal.bill.number if appeal.bill else None,
        "status": appeal.status,
        "reason": appeal.reason,
        "opened_on": appeal.opened_on.isoformat(),
        "opened_by": appeal.opened_by.username,
        "decided_on": _day(appeal.decided_on),
        "decided_by": appeal.decided_by.username if appeal.decided_by else None,
        "outcome": appeal.outcome,
        "adjustment_entry": str(appeal.adjustment_entry_id) if appeal.adjustment_entry_id else None,
    }


def certification_payload(certification: Certification) -> dict[str, Any]:
    return {
        "id": certification.pk,
        "account": certification.account.number,
        "kind": certification.kind,
        "program": certification.program,
        "provider": certification.provider,
        "starts_on": certification.starts_on.isoformat(),
        "expires_on": certification.expires_on.isoformat(),
        "evidence": certification.evidence,
        "recorded_by": certification.recorded_by.username,
        "revoked_on": _day(certification.revoked_on),
        "revoke_reason": certification.revoke_reason,
    }


def contact_payload(contact: ThirdPartyContact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "account": contact.account.number,
        "reason": contact.reason,
        "name": contact.name,
        "line1": contact.line1,
        "line2": contact.line2,
        "city": contact.city,
        "state": contact.state,
        "zip_code": contact.zip_code,
        "phone": contact.phone,
        "language": contact.language,
        "starts_on": contact.starts_on.isoformat(),
        "ended_on": _day(contact.ended_on),
    }


def moratorium_payload(moratorium: Moratorium) -> dict[str, Any]:
    return {
        "id": moratorium.pk,
        "starts_on": moratorium.starts_on.isoformat(),
        "ends_on": moratorium.ends_on.isoformat(),
        "scope": moratorium.scope,
        "scope_value": moratorium.scope_value,
        "reason": moratorium.reason,
        "declared_by": moratorium.declared_by.username,
        "lifted_on": _day(moratorium.lifted_on),
        "lifted_by": moratorium.lifted_by.username if moratorium.lifted_by else None,
    }


def add_parsers(sub: argparse._SubParsersAction) -> None:
    day = date_type
    appeal = sub.add_parser("appeal", help="bill reviews and appeals (no penalty or shutoff while pending)")
    appeal_actions = appeal.add_subparsers(dest="appeal_action", required=True)
    opening = appeal_actions.add_parser("open", help="open a bill review or appeal on an account")
    opening.add_argument("number", help="the account")
    opening.add_argument("--reason", required=True)
    opening.add_argument("--kind", choices=Appeal.Kind.values, default=Appeal.Kind.BILL_REVIEW)
    opening.add_argument("--bill", default="", help="the bill disputed (its number)")
    decide = appeal_actions.add_parser("decide", help="decide a pending bill review or appeal")
    decide.add_argument("appeal", type=int)
    decide.add_argument("--status", required=True, choices=appeals.DECISIONS)
    decide.add_argument("--outcome", required=True)
    decide.add_argument("--entry", default="", help="the adjustment's journal entry (adjusted only)")
    appeal_list = appeal_actions.add_parser("list", help="an account's bill reviews and appeals")
    appeal_list.add_argument("number")

    certify = sub.add_parser("certify", help="low-income and medical certifications")
    certify_actions = certify.add_subparsers(dest="certify_action", required=True)
    low = certify_actions.add_parser("low-income", help="record a low-income certification")
    low.add_argument("--program", required=True, choices=IncomeProgram.values)
    medical = certify_actions.add_parser("medical", help="record a medical certification")
    medical.add_argument("--provider", required=True, help="the primary-care provider who certified")
    for parser in (low, medical):
        parser.add_argument("number", help="the account")
        parser.add_argument("--starts", required=True, type=day("--starts"))
        parser.add_argument("--expires", type=day("--expires"), help="default: 12 months / 180 days")
        parser.add_argument("--evidence", default="")
    revoke = certify_actions.add_parser("revoke", help="revoke a certification")
    revoke.add_argument("certification", type=int)
    revoke.add_argument("--reason", required=True)
    revoke.add_argument("--on", type=day("--on"), help="it no longer applies from (default: today)")
    cert_list = certify_actions.add_parser("list", help="an account's certifications")
    cert_list.add_argument("number")

    contact = sub.add_parser("contact", help="third parties who receive copies of notices")
    contact_actions = contact.add_subparsers(dest="contact_action", required=True)
    add = contact_actions.add_parser("add", help="name a third party for a senior or dependent adult")
    add.add_argument("number", help="the account")
    add.add_argument("--reason", required=True, choices=ThirdPartyContact.Reason.values)
    add.add_argument("--name", required=True)
    add.add_argument("--line1", required=True)
    add.add_argument("--line2", default="")
    add.add_argument("--city", required=True)
    add.add_argument("--state", default="CA")
    add.add_argument("--zip", required=True, dest="zip_code")
    add.add_argument("--phone", default="")
    add.add_argument("--language", default="en", choices=certifications.LANGUAGES)
    add.add_argument("--starts", type=day("--starts"), help="default: today")
    end = contact_actions.add_parser("end", help="the third party stops receiving notices")
    end.add_argument("contact", type=int)
    end.add_argument("--on", type=day("--on"), help="the last day (default: today)")

    moratorium = sub.add_parser("moratorium", help="emergency moratoriums on penalties and shutoffs")
    moratorium_actions = moratorium.add_subparsers(dest="moratorium_action", required=True)
    declare = moratorium_actions.add_parser("declare", help="declare an emergency moratorium")
    declare.add_argument("--from", dest="starts_on", required=True, type=day("--from"))
    declare.add_argument("--to", dest="ends_on", required=True, type=day("--to"))
    declare.add_argument("--reason", required=True)
    declare.add_argument("--scope", choices=MoratoriumScope.values, default=MoratoriumScope.ALL)
    declare.add_argument("--value", default="", help="the cycle number, ZIP code or route")
    lift = moratorium_actions.add_parser("lift", help="lift a moratorium early")
    lift.add_argument("moratorium", type=int)
    lift.add_argument("--on", type=day("--on"), help="the last day it applies (default: today)")
    listing = moratorium_actions.add_parser("list", help="moratoriums (all, or in force on a day)")
    listing.add_argument("--in-force-on", dest="in_force_on", type=day("--in-force-on"))

    for parser in (opening, decide, low, medical, revoke, add, end, declare, lift):
        add_user_argument(parser)
    for parser in (opening, decide, appeal_list, low, medical, revoke, cert_list, add, end, declare, lift,
                   listing):  # fmt: skip
        parser.add_argument("--json", action="store_true")


def _row(model: Any, pk: int, what: str) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise CommandError(f"There is no {what} {pk}")
    return found


def _appeal(command: Any, options: dict[str, Any]) -> None:
    action, now = options["appeal_action"], clock.now()
    if action == "list":
        account = customer_selectors.account_get(options["number"])
        rows = [appeal_payload(a) for a in Appeal.objects.filter(account=account)]
        text = "\n".join(
            f"{r['id']}  {r['opened_on']}  {r['kind']}  {r['status']}  {r['reason']}" for r in rows
        )
        command.emit(options, rows, text or "No bill reviews or appeals.")
        return
    if action == "open":
        done = appeals.appeal_open(
            account=customer_selectors.account_get(options["number"]), kind=options["kind"],
            reason=options["reason"], bill=options["bill"] or None, actor=command.actor(options), at=now,
        )  # fmt: skip
        text = f"Appeal {done.pk} opened on account {done.account.number} ({done.opened_on:%Y-%m-%d})"
    else:
        done = appeals.appeal_decide(
            appeal=_row(Appeal, options["appeal"], "appeal"), status=options["status"],
            outcome=options["outcome"], adjustment_entry=options["entry"] or None,
            actor=command.actor(options), at=now,
        )  # fmt: skip
        text = f"Appeal {done.pk} {done.status} on {done.decided_on:%Y-%m-%d}"
    command.emit(options, appeal_payload(done), text)


def _certify(command: Any, options: dict[str, Any]) -> None:
    action, now = options["certify_action"], clock.now()
    if action == "list":
        account = customer_selectors.account_get(options["number"])
        rows = [certification_payload(c) for c in Certification.objects.filter(account=account)]
        text = "\n".join(
            f"{r['id']}  {r['kind']}  {r['program'] or r['provider']}  {r['starts_on']} to {r['expires_on']}"
            + (f"  revoked {r['revoked_on']}" if r["revoked_on"] else "")
            for r in rows
        )
        command.emit(options, rows, text or "No certifications.")
        return
    if action == "revoke":
        done = certifications.certification_revoke(
            certification=_row(Certification, options["certification"], "certification"),
            reason=options["reason"], revoked_on=options["on"], actor=command.actor(options), at=now,
        )  # fmt: skip
        text = f"Certification {done.pk} revoked from {done.revoked_on:%Y-%m-%d}"
    else:
        done = certifications.certification_record(
            account=customer_selectors.account_get(options["number"]),
            kind="low_income" if action == "low-income" else "medical",
            program=options.get("program") or "", provider=options.get("provider") or "",
            starts_on=options["starts"], expires_on=options["expires"], evidence=options["evidence"],
            actor=command.actor(options), at=now,
        )  # fmt: skip
        text = (
            f"Certification {done.pk} ({done.kind}) on account {done.account.number}: "
            f"{done.starts_on:%Y-%m-%d} to {done.expires_on:%Y-%m-%d}"
        )
    command.emit(options, certification_payload(done), text)


def _contact(command: Any, options: dict[str, Any]) -> None:
    now = clock.now()
    if options["contact_action"] == "end":
        done = certifications.contact_end(
            contact=_row(ThirdPartyContact, options["contact"], "third-party contact"),
            ended_on=options["on"],
            actor=command.actor(options), at=now,
        )  # fmt: skip
        text = f"Third-party contact {done.pk} ends {done.ended_on:%Y-%m-%d}"
    else:
        fields = ("reason", "name", "line1", "line2", "city", "state", "zip_code", "phone", "language")
        done = certifications.contact_add(
            account=customer_selectors.account_get(options["number"]), starts_on=options["starts"],
            actor=command.actor(options), at=now, **{key: options[key] for key in fields},
        )  # fmt: skip
        text = f"Third-party contact {done.pk} ({done.name}) on account {done.account.number}"
    command.emit(options, contact_payload(done), text)


def _moratorium(command: Any, options: dict[str, Any]) -> None:
    action, now = options["moratorium_action"], clock.now()
    if action == "list":
        day = options["in_force_on"]
        rows = [moratorium_payload(m) for m in (moratoriums_on(day) if day else Moratorium.objects.all())]
        text = "\n".join(
            f"{r['id']}  {r['starts_on']} to {r['ends_on']}  {r['scope']} {r['scope_value']}  {r['reason']}"
            + (f"  lifted (last day {r['lifted_on']})" if r["lifted_on"] else "")
            for r in rows
        )
        command.emit(options, rows, text or "No moratoriums.")
        return
    if action == "declare":
        done = moratoriums.moratorium_declare(
            starts_on=options["starts_on"], ends_on=options["ends_on"], reason=options["reason"],
            scope=options["scope"], scope_value=options["value"], actor=command.actor(options), at=now,
        )  # fmt: skip
        text = f"Moratorium {done.pk} on {moratoriums.scope_text(done)} {done.starts_on} to {done.ends_on}"
    else:
        done = moratoriums.moratorium_lift(
            moratorium=_row(Moratorium, options["moratorium"], "moratorium"), lifted_on=options["on"],
            actor=command.actor(options), at=now,
        )  # fmt: skip
        text = f"Moratorium {done.pk} lifted: last day {done.lifted_on}"
    command.emit(options, moratorium_payload(done), text)


HANDLERS = {"appeal": _appeal, "certify": _certify, "contact": _contact, "moratorium": _moratorium}
