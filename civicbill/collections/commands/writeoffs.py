"""``civicbill collections writeoff|closed-unpaid|balance-transfer|agency-export|shutoff-report|policy-pdf``.

- ``writeoff propose --as-of D [--account N ...] [--note T] --user U``: a batch of closed accounts old
  enough to write off; ``writeoff approve BATCH --user U`` (another supervisor) posts it;
  ``writeoff reject BATCH --note T --user U``; ``writeoff list [--status S]``; ``writeoff show BATCH``;
  ``writeoff recoveries --date D [--user U]``: record the recoveries of written-off accounts in credit;
- ``closed-unpaid [--as-of D] [--record --user U]``: closed accounts that still owe;
- ``balance-transfer NUMBER --to NUMBER --reason T --user U``;
- ``agency-export --batch ID --out FILE``: the collection agency CSV of a posted batch;
- ``shutoff-report --year Y [--format csv|pdf] [--out F]``: SB 998 §116918;
- ``policy-pdf --language xx --out F [--as-of D]``: the written shutoff policy.

Every one takes ``--json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from civicbill.collections import writeoff_selectors as selectors
from civicbill.collections import writeoffs as services
from civicbill.collections.agency_export import agency_csv, agency_rows
from civicbill.collections.models import WriteOffBatch
from civicbill.collections.policy import SHUTOFF_POLICY_LANGUAGES
from civicbill.collections.policy_document import shutoff_policy_pdf
from civicbill.collections.shutoff_report import shutoff_report, shutoff_report_csv, shutoff_report_pdf
from civicbill.core import clock
from civicbill.core.commands import add_user_argument, date_type
from civicbill.core.money import format_cents
from civicbill.customers import selectors as customer_selectors


def add_parsers(sub: argparse._SubParsersAction) -> None:
    writeoff = sub.add_parser("writeoff", help="write-off batches of closed accounts' unpaid final bills")
    actions = writeoff.add_subparsers(dest="writeoff_action", required=True)
    propose = actions.add_parser("propose", help="propose a batch of accounts old enough to write off")
    propose.add_argument("--as-of", dest="as_of", type=date_type("--as-of"), help="the date (default: today)")
    propose.add_argument("--account", action="append", dest="accounts", help="only this account (repeat)")
    propose.add_argument("--note", default="")
    approve = actions.add_parser("approve", help="approve a proposed batch and post it")
    approve.add_argument("batch", type=int)
    approve.add_argument("--note", default="")
    reject = actions.add_parser("reject", help="reject a proposed batch (nothing is posted)")
    reject.add_argument("batch", type=int)
    reject.add_argument("--note", required=True)
    listing = actions.add_parser("list", help="write-off batches")
    listing.add_argument("--status", choices=WriteOffBatch.Status.values)
    show = actions.add_parser("show", help="one batch with its accounts")
    show.add_argument("batch", type=int)
    recover = actions.add_parser("recoveries", help="record recoveries of written-off accounts in credit")
    recover.add_argument("--date", type=date_type("--date"), help="the business date (default: today)")
    for parser in (propose, approve, reject, recover):
        add_user_argument(parser)
    for parser in (propose, approve, reject, listing, show, recover):
        parser.add_argument("--json", action="store_true")

    closed = sub.add_parser("closed-unpaid", help="closed accounts whose final bill is unpaid")
    closed.add_argument("--as-of", dest="as_of", type=date_type("--as-of"), help="the date (default: today)")
    closed.add_argument("--record", action="store_true", help="record the stage closed — final bill unpaid")
    closed.add_argument("--user", metavar="USERNAME", help="the staff user (with --record)")
    closed.add_argument("--json", action="store_true")

    transfer = sub.add_parser("balance-transfer", help="move a closed account's balance to an active account")
    transfer.add_argument("number", help="the closed account")
    transfer.add_argument("--to", required=True, dest="to_account", help="the same customer's active account")
    transfer.add_argument("--reason", required=True)
    add_user_argument(transfer)
    transfer.add_argument("--json", action="store_true")

    agency = sub.add_parser("agency-export", help="the collection agency CSV of a posted write-off batch")
    agency.add_argument("--batch", type=int, required=True)
    agency.add_argument("--out", required=True, help="the CSV file to write")
    agency.add_argument("--json", action="store_true")

    report = sub.add_parser("shutoff-report", help="SB 998 annual report of residential shutoffs")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--format", choices=("csv", "pdf"), default="csv", dest="report_format")
    report.add_argument("--out", help="write the CSV or PDF here (default: the CSV on standard output)")
    report.add_argument("--json", action="store_true")

    policy = sub.add_parser("policy-pdf", help="the written shutoff policy as PDF")
    policy.add_argument("--language", required=True, choices=SHUTOFF_POLICY_LANGUAGES)
    policy.add_argument("--out", required=True)
    policy.add_argument(
        "--as-of", dest="as_of", type=date_type("--as-of"), help="the policy of (default: today)"
    )
    policy.add_argument("--json", action="store_true")


def batch_payload(batch: WriteOffBatch) -> dict[str, Any]:
    return {
        "batch": batch.pk,
        "status": batch.status,
        "as_of": batch.as_of.isoformat(),
        "writeoff_after_days": batch.writeoff_after_days,
        "method": batch.method,
        "note": batch.note,
        "proposed_by": batch.proposed_by.username,
        "proposed_at": batch.proposed_at.isoformat(),
        "decided_by": batch.decided_by.username if batch.decided_by else None,
        "decided_at": batch.decided_at.isoformat() if batch.decided_at else None,
        "posted_on": batch.posted_on.isoformat() if batch.posted_on else None,
        "decision_note": batch.decision_note,
        "totals_cents": selectors.batch_totals(batch),
        "accounts": [
            {
                "account": w.account.number,
                "customer": w.account.customer.display_name,
                "status": w.status,
                "amounts_cents": w.amounts,
                "total_cents": w.total_cents,
                "final_bill_number": w.final_bill_number,
                "aged_from": w.aged_from.isoformat(),
                "dropped_reason": w.dropped_reason,
            }
            for w in selectors.batch_writeoffs(batch)
        ],
    }


def _batch_text(payload: dict[str, Any]) -> str:
    lines = [
        f"Write-off batch {payload['batch']} ({payload['status']}), as of {payload['as_of']}: "
        f"{format_cents(payload['totals_cents'].get('total', 0))}"
    ]
    for row in payload["accounts"]:
        lines.append(
            f"  {row['account']}  {format_cents(row['total_cents']):>12}  {row['status']}  {row['customer']}"
        )
    return "\n".join(lines)


def _writeoff(command: Any, options: dict[str, Any]) -> None:
    action = options["writeoff_action"]
    if action == "list":
        batches = selectors.writeoff_batches(status=options.get("status"))
        listed = [batch_payload(batch) for batch in batches]
        text = "\n".join(_batch_text(item).splitlines()[0] for item in listed) or "No write-off batches."
        command.emit(options, listed, text)
        return
    if action == "show":
        batch = selectors.writeoff_batch_get(options["batch"])
        if batch is None:
            raise CommandError(f"There is no write-off batch {options['batch']}")
        payload = batch_payload(batch)
        command.emit(options, payload, _batch_text(payload))
        return
    actor = command.actor(options)
    now = clock.now()
    if action == "propose":
        batch = services.writeoff_propose(
            as_of=options["as_of"] or clock.business_date(now), actor=actor, at=now, note=options["note"],
            account_numbers=options["accounts"],
        )  # fmt: skip
    elif action == "approve":
        batch = services.writeoff_approve(
            batch_id=options["batch"], actor=actor, at=now, note=options["note"]
        )
    elif action == "reject":
        batch = services.writeoff_reject(batch_id=options["batch"], actor=actor, at=now, note=options["note"])
    else:  # recoveries
        day = options["date"] or clock.business_date(now)
        found = services.writeoff_recoveries_run(on=day, actor=actor, at=now)
        recovered = {
            "date": day.isoformat(),
            "recoveries": [
                {"account": r.account.number, "amount_cents": r.amount_cents, "amounts_cents": r.amounts}
                for r in found
            ],
        }
        text = (
            "\n".join(f"{r.account.number}  {format_cents(r.amount_cents)}" for r in found)
            or "No recoveries."
        )
        command.emit(options, recovered, text)
        return
    payload = batch_payload(batch)
    command.emit(options, payload, _batch_text(payload))


def closed_payload(row: selectors.ClosedUnpaid, as_of: Any) -> dict[str, Any]:
    return {
        "account": row.number,
        "customer": row.customer_name,
        "status": row.status,
        "closed_on": row.closed_on.isoformat() if row.closed_on else None,
        "balance_cents": row.balance_cents,
        "amounts_cents": row.amounts,
        "final_bill_number": row.final_bill_number,
        "aged_from": row.aged_from.isoformat(),
        "days_since_due": row.days_since_due(as_of),
        "writeoff_on": row.writeoff_on.isoformat(),
        "stage": row.stage,
        "active_accounts": list(row.active_accounts),
        "writeoff_batch": row.in_batch_id,
        "may_write_off": row.may_write_off,
        "blocked": list(row.blocked),
    }


def _closed_unpaid(command: Any, options: dict[str, Any]) -> None:
    now = clock.now()
    day = options["as_of"] or clock.business_date(now)
    recorded: list[str] = []
    if options["record"]:
        if not (options.get("user") or "").strip():
            raise CommandError("Give --user USERNAME with --record")
        recorded = services.closed_unpaid_record(on=day, actor=command.actor(options), at=now)
    rows = selectors.closed_unpaid(day)
    payload = {
        "as_of": day.isoformat(),
        "accounts": [closed_payload(r, day) for r in rows],
        "recorded": recorded,
    }
    text = "\n".join(
        f"{r.number}  {format_cents(r.balance_cents):>12}  due {r.aged_from}  write-off from {r.writeoff_on}"
        f"  {r.customer_name}"
        for r in rows
    )
    command.emit(options, payload, text or "No closed account owes money.")


def _balance_transfer(command: Any, options: dict[str, Any]) -> None:
    account = customer_selectors.account_get(options["number"])
    transfer = services.balance_transfer(
        from_account=account, to_account_number=options["to_account"], reason=options["reason"],
        as_of=clock.now(), actor=command.actor(options),
    )  # fmt: skip
    payload = {
        "from_account": transfer.from_account.number,
        "to_account": transfer.to_account.number,
        "amounts_cents": transfer.amounts,
        "total_cents": transfer.total_cents,
        "business_date": transfer.business_date.isoformat(),
    }
    command.emit(
        options,
        payload,
        f"{format_cents(transfer.total_cents)} moved from {payload['from_account']} "
        f"to {payload['to_account']}",
    )


def _agency_export(command: Any, options: dict[str, Any]) -> None:
    rows = agency_rows(options["batch"])
    Path(options["out"]).write_text(agency_csv(rows), encoding="utf-8", newline="")
    payload = {"batch": options["batch"], "out": options["out"], "accounts": len(rows)}
    command.emit(options, payload, f"{len(rows)} accounts written to {options['out']}")


def _shutoff_report(command: Any, options: dict[str, Any]) -> None:
    report = shutoff_report(options["year"])
    payload = {
        "year": report.year,
        "total": report.total,
        "by_month": list(report.by_month),
        "shutoffs": [
            {"work_order": s.work_order, "completed_on": s.completed_on.isoformat(),
             "account": s.account_number, "service_address": s.service_address,
             "premise_type": s.premise_type}
            for s in report.shutoffs
        ],
    }  # fmt: skip
    out = options.get("out")
    if options["report_format"] == "pdf":
        if not out:
            raise CommandError("Give --out FILE for the PDF")
        Path(out).write_bytes(shutoff_report_pdf(report, generated_on=clock.today()))
    elif out:
        Path(out).write_text(shutoff_report_csv(report), encoding="utf-8", newline="")
    if out:
        payload["out"] = out
        command.emit(
            options, payload, f"{report.year}: {report.total} residential shutoffs; written to {out}"
        )
    else:
        command.emit(options, payload, shutoff_report_csv(report).rstrip("\r\n"))


def _policy_pdf(command: Any, options: dict[str, Any]) -> None:
    day = options["as_of"] or clock.today()
    Path(options["out"]).write_bytes(shutoff_policy_pdf(options["language"], on=day))
    payload = {"language": options["language"], "as_of": day.isoformat(), "out": options["out"]}
    command.emit(options, payload, f"The shutoff policy ({options['language']}) written to {options['out']}")


HANDLERS = {
    "writeoff": _writeoff,
    "closed-unpaid": _closed_unpaid,
    "balance-transfer": _balance_transfer,
    "agency-export": _agency_export,
    "shutoff-report": _shutoff_report,
    "policy-pdf": _policy_pdf,
}
