"""The autopay sub-commands of ``civicbill ach`` (the command is
``civicbill/autopay/management/commands/ach.py``, whose ``validate`` needs only the NACHA library):

- ``civicbill ach draft --date D --out FILE [--json] [--user U]``: the draft file for effective entry
  date D (a business day after today), written to FILE and stored; its payments posted as pending;
- ``civicbill ach cancel ID --reason TEXT [--json] [--user U]``: cancel a draft file before its date;
- ``civicbill ach returns FILE [--json] [--user U]``: import a return / notification-of-change file;
- ``civicbill ach review [--json]``: the review queue (late returns held for review, notifications of
  change not applied); ``civicbill ach review ID --decision dishonor|accept|acknowledge --note TEXT
  [--json] [--user U]`` decides one.

They run as the system user ``autopay`` (Technician) unless ``--user`` names a staff member
(:mod:`civicbill.core.commands`; ``cancel`` and a review decision are staff actions, but keep the
default they always had: docs/autopay.md shows them without ``--user``). A refusal prints one line
and exits 1; a file that cannot be read or written exits 2. Bank account numbers appear masked in
every output; only the draft file itself carries them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from civicbill.autopay import selectors, services, summary
from civicbill.core import clock
from civicbill.core.commands import AUTOPAY_USER, USER_MISSING, CivicbillCommand, add_user_argument, date_type
from civicbill.core.money import format_cents

SUBCOMMANDS = ("draft", "cancel", "returns", "review")


def add_subcommands(sub: Any) -> None:
    draft = sub.add_parser("draft", help="write the autopay draft file of an effective entry date")
    draft.add_argument(
        "--date", type=date_type("--date"), required=True, help="effective entry date (a business day)"
    )
    draft.add_argument("--out", required=True, help="where to write the NACHA file")
    draft.add_argument("--json", action="store_true", help="print the file's totals and entries as JSON")
    add_user_argument(draft, system_user=AUTOPAY_USER, help="the staff user drafting")
    cancel = sub.add_parser("cancel", help="cancel a draft file before its effective date")
    cancel.add_argument("draft_file", type=int, help="the draft file's number")
    cancel.add_argument("--reason", required=True)
    cancel.add_argument("--json", action="store_true")
    add_user_argument(cancel, help="the staff user cancelling")
    returns = sub.add_parser("returns", help="import a return / notification-of-change file")
    returns.add_argument("file", help="the bank's NACHA return file")
    returns.add_argument("--json", action="store_true", help="print what was done with each entry as JSON")
    add_user_argument(returns, system_user=AUTOPAY_USER, help="the staff user importing")
    review = sub.add_parser(
        "review", help="list the review queue (late returns, NOCs not applied) or decide one item"
    )
    review.add_argument("item", type=int, nargs="?", help="the return's number (omit to list the queue)")
    review.add_argument("--decision", choices=["dishonor", "accept", "acknowledge"])
    review.add_argument("--note", help="why (required with --decision)")
    review.add_argument("--json", action="store_true", help="print the queue or the decided item as JSON")
    add_user_argument(
        review, system_user=AUTOPAY_USER, help="the staff user deciding (required with --decision)"
    )


def draft(command: CivicbillCommand, options: dict[str, Any]) -> None:
    out = command.stdout
    path = Path(options["out"])
    actor = command.actor(options)
    with transaction.atomic():
        draft_file = services.ach_draft_create(effective_date=options["date"], as_of=clock.now(), actor=actor)
        data = selectors.draft_file_bytes(draft_file)
        try:
            path.write_bytes(data)  # inside the transaction: a file that cannot be written drafts nothing
        except OSError as error:
            raise CommandError(
                f"Cannot write {path}: {error.strerror or error}; nothing was drafted", returncode=2
            ) from error
    entries = list(draft_file.entries.select_related("account", "bill", "payment").order_by("sequence"))
    if options["json"]:
        document = summary.draft_file_dict(draft_file, entries=entries, today=clock.today())
        document["out"] = str(path)
        command.print_json(document)
        return
    out.write(
        f"{path}: draft file {draft_file.pk} ({draft_file.file_name}) effective {draft_file.effective_date}, "
        f"modifier {draft_file.file_id_modifier}"
    )
    out.write(
        f"  debits:   {draft_file.debit_count} for {format_cents(draft_file.total_debit_cents)} (pending)"
    )
    out.write(f"  prenotes: {draft_file.prenote_count}")
    out.write(f"  traces:   {draft_file.first_trace_sequence} to {draft_file.last_trace_sequence}")


def cancel(command: CivicbillCommand, options: dict[str, Any]) -> None:
    actor = command.actor(options)
    draft_file = selectors.draft_file_get(options["draft_file"])
    draft_file = services.ach_draft_cancel(
        draft_file=draft_file, reason=options["reason"], as_of=clock.now(), actor=actor
    )
    if options["json"]:
        command.print_json(summary.draft_file_dict(draft_file))
        return
    command.stdout.write(
        f"Draft file {draft_file.pk} ({draft_file.file_name}) cancelled: {draft_file.debit_count} payments "
        f"of {format_cents(draft_file.total_debit_cents)} voided"
    )


def returns(command: CivicbillCommand, options: dict[str, Any]) -> None:
    out = command.stdout
    path = Path(options["file"])
    try:
        content = path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}", returncode=2) from error
    actor = command.actor(options)
    record = services.ach_returns_import(content=content, file_name=path.name, as_of=clock.now(), actor=actor)
    items = list(selectors.return_items(return_file=record))
    if options["json"]:
        command.print_json(summary.return_file_dict(record, items=items))
        return
    out.write(f"{path.name}: return file {record.pk}")
    out.write(
        f"  returns: {record.return_count} for {format_cents(record.returned_cents)}, "
        f"fees {format_cents(record.fees_cents)}"
    )
    out.write(f"  notifications of change: {record.change_count}")
    out.write(f"  unmatched (held in suspense): {record.unmatched_count}")
    to_review = sum(1 for item in items if item.awaits_review)
    if to_review:
        out.write(f"  to review (civicbill ach review): {to_review}")
    for item in items:
        account = item.draft_entry.account.number if item.draft_entry else "-"
        out.write(
            f"  line {item.line_number}: {item.code} trace {item.original_trace_number} account {account} "
            f"{format_cents(item.amount_cents)}: {item.get_outcome_display()}"
        )


def _review_line(item: Any) -> str:
    account = item.draft_entry.account.number if item.draft_entry else "-"
    return (
        f"  {item.pk}: {item.code} trace {item.original_trace_number} account {account} "
        f"{format_cents(item.amount_cents)}: {item.get_outcome_display()}. {item.detail}"
    )


def review(command: CivicbillCommand, options: dict[str, Any]) -> None:
    out = command.stdout
    if options.get("item") is None:
        if options.get("decision"):
            raise CommandError(
                "Name the item to decide: civicbill ach review ID --decision ...", returncode=1
            )
        waiting = list(selectors.review_queue())
        if options["json"]:
            command.print_json({"review": [summary.return_dict(item) for item in waiting]})
            return
        out.write(f"Review queue: {len(waiting)} waiting")
        for item in waiting:
            out.write(_review_line(item))
        return
    if not options.get("decision") or not (options.get("note") or "").strip():
        raise CommandError("Give --decision (dishonor, accept or acknowledge) and --note TEXT", returncode=1)
    if not options.get("user"):
        raise CommandError(USER_MISSING, returncode=1)  # a decision is a staff action, never the system's
    actor = command.actor(options)
    item = selectors.return_item_get(options["item"])
    decided = services.ach_return_review(
        ach_return=item, decision=options["decision"], note=options["note"], as_of=clock.now(), actor=actor
    )
    decided = selectors.return_item_get(decided.pk)
    if options["json"]:
        command.print_json(summary.return_dict(decided))
        return
    out.write(f"Return {decided.pk} decided ({decided.review_decision}):")
    out.write(_review_line(decided))
