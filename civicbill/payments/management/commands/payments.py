"""``civicbill payments ...``: cashiering from the command line.

* ``payments add-drawer --location CH --location-name "City Hall" --code CH-1 --name "Window 1" --user U``
* ``payments drawers [--date D] [--status open|closed|approved] [--json]``: drawer sessions
* ``payments day-close --date D --user U [--json]``: close a business day (a supervisor, named)
* ``payments receipt NUMBER [--pdf FILE | --html FILE] [--language en|es] --user U``: reprint
* ``payments deposit-slip --date D [--pdf FILE | --html FILE] [--language en|es]``: a closed day's slip
* ``payments import FILE --format lockbox-csv|lockbox-fixed|online-csv --user U [--json]``: a remittance file
* ``payments suspense [--all] [--json]``: the suspense queue;
  ``payments suspense-apply ITEM --account NUMBER --user U [--note TEXT]``: apply an item
* ``payments returned-check RECEIPT --reason TEXT --user U [--no-fee] [--json]``: a returned payment (NSF)
* ``payments transfer RECEIPT --to ACCOUNT --reason TEXT --user U [--json]``: move a payment posted to
  the wrong account onto the right one (reversed and re-applied today)
* ``payments refund-request ACCOUNT --amount 15.00 --reason TEXT --user U``,
  ``payments refund-approve ID --user U``, ``payments refund-reject ID --note TEXT --user U``,
  ``payments refunds-export --out FILE --user U``: refunds of credit balances
* ``payments report cash-receipts|daily-balance|by-channel --date D | --from D --to D [--format csv|pdf]
  --out FILE [--json]``: a payment report as CSV or PDF (``--json``: the figures on stdout)
* ``payments service-deposit-charge ACCOUNT --amount 100.00 [--memo TEXT] [--date D] --user U [--json]``,
  ``payments service-deposit ACCOUNT [--json]``: a service deposit charged, and what is held

Taking payments is interactive work for the counter pages and the API; these are the batch and
back-office parts. Errors print one line and exit non-zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from civicbill.core import clock
from civicbill.core.commands import CivicbillCommand, add_user_argument, date_type
from civicbill.core.money import Money, MoneyError, format_cents
from civicbill.customers import selectors as customer_selectors
from civicbill.customers.models import Account
from civicbill.payments import selectors, services
from civicbill.payments.deposit_selectors import customer_deposit_held_cents
from civicbill.payments.models import DayClose, Deposit, DrawerSession, PaymentImport, Refund, SuspenseItem
from civicbill.payments.receipts import (
    deposit_slip_html,
    deposit_slip_pdf,
    receipt_document,
    receipt_html,
    receipt_pdf,
)
from civicbill.payments.services.customer_deposits import customer_deposit_charge


def session_row(session: DrawerSession) -> dict[str, Any]:
    return {
        "session": session.pk,
        "drawer": session.drawer.code,
        "location": session.drawer.location.code,
        "cashier": session.cashier.username,
        "business_date": session.business_date.isoformat(),
        "status": session.status,
        "starting_float_cents": session.starting_float_cents,
        "expected_cents": None
        if session.status == DrawerSession.Status.OPEN
        else (session.expected_cash_cents or 0)
        + (session.expected_checks_cents or 0)
        + (session.expected_card_cents or 0),
        "counted_cents": None
        if session.status == DrawerSession.Status.OPEN
        else (session.counted_cash_cents or 0)
        + (session.counted_checks_cents or 0)
        + (session.counted_card_cents or 0),
        "over_short_cents": session.over_short_cents,
        "approved_by": session.approved_by.username if session.approved_by else None,
    }


def day_close_row(day: DayClose, deposit: Deposit) -> dict[str, Any]:
    return {
        "business_date": day.business_date.isoformat(),
        "payment_count": day.payment_count,
        "void_count": day.void_count,
        "receipts_cents": day.receipts_cents,
        "over_short_cents": day.over_short_cents,
        "totals": day.totals,
        "deposit": {
            "slip_number": deposit.slip_number,
            "cash_cents": deposit.cash_cents,
            "checks_cents": deposit.checks_cents,
            "check_count": deposit.check_count,
            "card_cents": deposit.card_cents,
            "total_cents": deposit.total_cents,
            "journal_entry": str(deposit.journal_entry_id) if deposit.journal_entry_id else None,
        },
    }


class Command(CivicbillCommand):
    help = "Cashiering: drawers, day close, receipts; payment files, suspense, returned checks, refunds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add-drawer", help="add a cash drawer (and its location)")
        add.add_argument("--location", required=True)
        add.add_argument("--location-name", required=True)
        add.add_argument("--code", required=True)
        add.add_argument("--name", required=True)
        add_user_argument(add, help="the supervisor doing it")
        drawers = sub.add_parser("drawers", help="drawer sessions (newest day first)")
        drawers.add_argument("--date", type=date_type("--date"))
        drawers.add_argument("--status", choices=DrawerSession.Status.values)
        drawers.add_argument("--json", action="store_true")
        close = sub.add_parser("day-close", help="close a business day and prepare its deposit")
        close.add_argument("--date", type=date_type("--date"), required=True)
        add_user_argument(close, help="the supervisor closing the day")
        close.add_argument("--json", action="store_true")
        receipt = sub.add_parser("receipt", help="reprint a receipt as HTML or PDF")
        receipt.add_argument("number")
        receipt.add_argument("--pdf", type=Path)
        receipt.add_argument("--html", type=Path)
        receipt.add_argument("--language", choices=["en", "es"])
        add_user_argument(receipt, help="the staff member reprinting")
        slip = sub.add_parser("deposit-slip", help="the deposit slip of a closed day")
        slip.add_argument("--date", type=date_type("--date"), required=True)
        slip.add_argument("--pdf", type=Path)
        slip.add_argument("--html", type=Path)
        slip.add_argument("--language", choices=["en", "es"], default="en")

        self._add_channel_arguments(sub)
        self._add_report_arguments(sub)
        self._add_deposit_arguments(sub)
        self._add_transfer_arguments(sub)

    def _add_drawer(self, options: dict[str, Any]) -> None:
        drawer = services.drawer_create(
            location_code=options["location"],
            location_name=options["location_name"],
            code=options["code"],
            name=options["name"],
            actor=self.actor(options),
        )
        self.stdout.write(f"Added drawer {drawer.code} at {drawer.location}")

    def _drawers(self, options: dict[str, Any]) -> None:
        rows = [
            session_row(s)
            for s in selectors.sessions(business_date=options["date"], status=options["status"])
        ]
        if options["json"]:
            self.print_json({"sessions": rows})
            return
        if not rows:
            self.stdout.write("No drawer sessions.")
        for row in rows:
            over_short = "" if row["over_short_cents"] is None else format_cents(row["over_short_cents"])
            self.stdout.write(
                f"{row['business_date']}  {row['drawer']:<8} {row['cashier']:<12} {row['status']:<9} "
                f"float {format_cents(row['starting_float_cents'])}  over/short {over_short}"
            )

    def _day_close(self, options: dict[str, Any]) -> None:
        day = services.day_close(business_date=options["date"], as_of=clock.now(), actor=self.actor(options))
        deposit = Deposit.objects.get(day_close=day)
        row = day_close_row(day, deposit)
        if options["json"]:
            self.print_json(row)
            return
        self.stdout.write(
            f"Closed {row['business_date']}: {day.payment_count} payments ({day.void_count} void), receipts "
            f"{format_cents(day.receipts_cents)}, over/short {format_cents(day.over_short_cents)}\n"
            f"Deposit {deposit.slip_number}: cash {format_cents(deposit.cash_cents)}, "
            f"{deposit.check_count} checks {format_cents(deposit.checks_cents)}, "
            f"total {format_cents(deposit.total_cents)}; cards {format_cents(deposit.card_cents)}"
        )

    def _receipt(self, options: dict[str, Any]) -> None:
        payment = selectors.payment_for_receipt(options["number"])
        services.receipt_reprint(payment=payment, actor=self.actor(options))
        document = receipt_document(payment, reprint=True, language=options["language"])
        if options["pdf"]:
            options["pdf"].write_bytes(receipt_pdf(document))
            self.stdout.write(f"Wrote {options['pdf']}")
        elif options["html"]:
            options["html"].write_text(receipt_html(document), encoding="utf-8")
            self.stdout.write(f"Wrote {options['html']}")
        else:
            self.stdout.write(receipt_html(document))

    def _deposit_slip(self, options: dict[str, Any]) -> None:
        deposit = selectors.deposit_of_day(options["date"])
        items = selectors.day_deposit_items(options["date"])
        if options["pdf"]:
            options["pdf"].write_bytes(deposit_slip_pdf(deposit, items, language=options["language"]))
            self.stdout.write(f"Wrote {options['pdf']}")
        elif options["html"]:
            options["html"].write_text(
                deposit_slip_html(deposit, items, language=options["language"]), encoding="utf-8"
            )
            self.stdout.write(f"Wrote {options['html']}")
        else:
            self.stdout.write(deposit_slip_html(deposit, items, language=options["language"]))

    # -- payments from other channels, suspense, returned payments, refunds ---------------------------
    def _add_channel_arguments(self, sub: Any) -> None:
        imported = sub.add_parser("import", help="import a lockbox or online payment file")
        imported.add_argument("file", type=Path)
        imported.add_argument("--format", required=True, choices=[f.value for f in PaymentImport.Format])
        add_user_argument(imported, help="the staff member importing")
        imported.add_argument(
            "--processor", default="", help="online files: the processor whose confirmations they carry"
        )
        imported.add_argument(
            "--new-batch",
            action="store_true",
            help="lockbox: another batch the bank sent under a lockbox id and date already imported",
        )
        imported.add_argument("--json", action="store_true")
        queue = sub.add_parser("suspense", help="the suspense queue (unmatched payments)")
        queue.add_argument("--all", action="store_true", help="applied items too")
        queue.add_argument("--json", action="store_true")
        apply = sub.add_parser("suspense-apply", help="apply a suspense item to an account")
        apply.add_argument("item", type=int)
        apply.add_argument("--account", required=True, help="account number, e.g. 1000001-6")
        apply.add_argument("--note", default="")
        add_user_argument(apply)
        returned = sub.add_parser("returned-check", help="record a payment the bank returned (NSF)")
        returned.add_argument("receipt")
        returned.add_argument("--reason", required=True)
        returned.add_argument("--no-fee", action="store_true", help="do not charge the returned-item fee")
        add_user_argument(returned)
        returned.add_argument("--json", action="store_true")
        request = sub.add_parser("refund-request", help="ask to refund an account's credit balance")
        request.add_argument("account")
        request.add_argument("--amount", required=True)
        request.add_argument("--reason", required=True)
        add_user_argument(request)
        approve = sub.add_parser("refund-approve", help="approve a refund (posts the refund payable)")
        approve.add_argument("refund", type=int)
        approve.add_argument("--note", default="")
        add_user_argument(approve)
        reject = sub.add_parser("refund-reject", help="reject a refund")
        reject.add_argument("refund", type=int)
        reject.add_argument("--note", required=True)
        add_user_argument(reject)
        export = sub.add_parser("refunds-export", help="approved refunds for accounts payable (CSV)")
        export.add_argument("--out", type=Path, required=True)
        add_user_argument(export)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}")
        result = services.payment_file_import(
            content=path.read_bytes(),
            file_name=path.name,
            file_format=options["format"],
            as_of=clock.now(),
            actor=self.actor(options),
            processor=options["processor"],
            new_batch=options["new_batch"],
        )
        row = result.as_dict()
        if options["json"]:
            self.print_json(row)
            return
        self.stdout.write(
            f"Imported {row['file_name']} (import {row['import']}): {row['posted_count']} payments "
            f"{format_cents(row['posted_cents'])}, {row['suspense_count']} to suspense "
            f"{format_cents(row['suspense_cents'])}, {row['error_count']} bad rows"
        )
        for error in row["errors"]:
            self.stdout.write(f"  line {error['line']}: {error['reason']}")

    def _suspense(self, options: dict[str, Any]) -> None:
        items = services.suspense_queue(status=None if options["all"] else SuspenseItem.Status.OPEN)
        rows: list[dict[str, Any]] = [
            {
                "item": item.pk,
                "status": item.status,
                "channel": item.channel,
                "deposit_date": item.deposit_date.isoformat(),
                "amount_cents": item.amount_cents,
                "reason": item.reason,
                "detail": item.detail,
                "scan_line": item.scan_line,
                "account_number": item.account_number_text,
                "check_number": item.check_number,
                "payer_name": item.payer_name,
                "import": item.payment_import_id,
                "line": item.line_number,
                "applied_receipt": item.applied_payment.receipt_number if item.applied_payment else None,
            }
            for item in items
        ]
        if options["json"]:
            self.print_json({"suspense": rows})
            return
        if not rows:
            self.stdout.write("The suspense queue is empty.")
        for row in rows:
            self.stdout.write(
                f"{row['item']:>6}  {row['deposit_date']}  {format_cents(row['amount_cents']):>12}  "
                f"{row['status']:<8} {row['reason']:<16} {row['detail']}"
            )

    def _suspense_apply(self, options: dict[str, Any]) -> None:
        item = SuspenseItem.objects.filter(pk=options["item"]).first()
        if item is None:
            raise CommandError(f"No suspense item {options['item']}")
        account = Account.objects.filter(number=options["account"].strip()).first()
        if account is None:
            raise CommandError(f"No account {options['account']}")
        payment = services.suspense_apply(
            item=item, account=account, as_of=clock.now(), actor=self.actor(options), note=options["note"]
        )
        self.stdout.write(
            f"Applied suspense item {item.pk} to {account.number} as receipt {payment.receipt_number}"
        )

    def _returned_check(self, options: dict[str, Any]) -> None:
        payment = selectors.payment_for_receipt(options["receipt"])
        returned = services.payment_return(
            payment=payment,
            reason=options["reason"],
            as_of=clock.now(),
            actor=self.actor(options),
            charge_fee=not options["no_fee"],
        )
        row: dict[str, Any] = {
            "receipt": payment.receipt_number,
            "amount_cents": payment.amount_cents,
            "returned_on": returned.returned_on.isoformat(),
            "fee_cents": returned.fee_cents,
        }
        if options["json"]:
            self.print_json(row)
            return
        self.stdout.write(
            f"Returned receipt {row['receipt']} ({format_cents(row['amount_cents'])}); fee "
            f"{format_cents(row['fee_cents'])}"
        )

    def _add_transfer_arguments(self, sub: Any) -> None:
        moved = sub.add_parser(
            "transfer", help="move a payment posted to the wrong account onto the right one"
        )
        moved.add_argument("receipt")
        moved.add_argument("--to", required=True, help="the right account's number, e.g. 1000001-8")
        moved.add_argument("--reason", required=True)
        add_user_argument(moved)
        moved.add_argument("--json", action="store_true")

    def _transfer(self, options: dict[str, Any]) -> None:
        payment = selectors.payment_for_receipt(options["receipt"])
        transfer = services.payment_transfer(
            payment=payment,
            to_account=customer_selectors.account_get(options["to"]),
            reason=options["reason"],
            as_of=clock.now(),
            actor=self.actor(options),
        )
        row: dict[str, Any] = {
            "receipt": payment.receipt_number,
            "amount_cents": transfer.amount_cents,
            "from_account": transfer.from_account.number,
            "to_account": transfer.to_account.number,
            "business_date": transfer.business_date.isoformat(),
            "reversal_entry": str(transfer.reversal_entry_id),
            "entry": str(transfer.entry_id),
        }
        if options["json"]:
            self.print_json(row)
            return
        self.stdout.write(
            f"Moved receipt {row['receipt']} ({format_cents(row['amount_cents'])}) from account "
            f"{row['from_account']} to account {row['to_account']} on {row['business_date']}"
        )

    def _refund_request(self, options: dict[str, Any]) -> None:
        account = Account.objects.filter(number=options["account"].strip()).first()
        if account is None:
            raise CommandError(f"No account {options['account']}")
        try:
            amount = Money.parse(options["amount"])
        except (ValueError, ArithmeticError):
            raise CommandError(f"{options['amount']!r} is not an amount like 15.00") from None
        refund = services.refund_request(
            account=account,
            amount=amount,
            reason=options["reason"],
            as_of=clock.now(),
            actor=self.actor(options),
        )
        self.stdout.write(f"Refund {refund.pk} of {amount} requested for {account.number}")

    def _refund_decided(self, options: dict[str, Any]) -> Refund:
        refund = Refund.objects.filter(pk=options["refund"]).first()
        if refund is None:
            raise CommandError(f"No refund {options['refund']}")
        return refund

    def _refund_approve(self, options: dict[str, Any]) -> None:
        refund = services.refund_approve(
            refund=self._refund_decided(options),
            as_of=clock.now(),
            actor=self.actor(options),
            note=options["note"],
        )
        self.stdout.write(f"Approved refund {refund.pk} ({format_cents(refund.amount_cents)})")

    def _refund_reject(self, options: dict[str, Any]) -> None:
        refund = services.refund_reject(
            refund=self._refund_decided(options),
            as_of=clock.now(),
            actor=self.actor(options),
            note=options["note"],
        )
        self.stdout.write(f"Rejected refund {refund.pk}")

    def _refunds_export(self, options: dict[str, Any]) -> None:
        text, refunds = services.refunds_ap_export(as_of=clock.now(), actor=self.actor(options))
        options["out"].write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {len(refunds)} refunds to {options['out']}")

    # -- payment reports (cash receipts journal, daily balance, payments by channel) ------------------
    def _add_report_arguments(self, sub: Any) -> None:
        from civicbill.payments.reports import REPORTS

        report = sub.add_parser("report", help="a payment report as CSV or PDF")
        report.add_argument("name", choices=list(REPORTS))
        report.add_argument(
            "--date", type=date_type("--date"), help="one day (the daily balance takes only this)"
        )
        report.add_argument("--from", dest="date_from", type=date_type("--from"))
        report.add_argument("--to", dest="date_to", type=date_type("--to"))
        report.add_argument("--format", dest="file_format", choices=["csv", "pdf"], default="csv")
        report.add_argument("--out", type=Path, help="the file to write (required unless --json)")
        report.add_argument("--json", action="store_true", help="print the figures as JSON (cents)")

    def _report(self, options: dict[str, Any]) -> None:
        from civicbill.payments.report_files import report_csv, report_pdf
        from civicbill.payments.reports import report_build

        start = options["date_from"] or options["date"]
        if start is None:
            raise CommandError("Give --date D or --from D --to D")
        if not options["json"] and options["out"] is None:
            raise CommandError("Give --out FILE (or --json)")
        report = report_build(options["name"], date_from=start, date_to=options["date_to"] or start)
        if options["out"] is not None:
            if options["file_format"] == "pdf":
                options["out"].write_bytes(report_pdf(report))
            else:
                options["out"].write_text(report_csv(report), encoding="utf-8")
        if options["json"]:
            self.print_json(report.as_dict())
            return
        problems = [tie for tie in report.ties if tie.applies and not tie.ok]
        summary = f"Wrote {report.title} {report.period} to {options['out']}"
        if problems:
            summary += "; DIFFERENCE: " + ", ".join(
                f"{tie.label} ({format_cents(tie.difference_cents)})" for tie in problems
            )
        self.stdout.write(summary)

    # -- service deposits (services.customer_deposits) ----------------------------------------------
    def _add_deposit_arguments(self, sub: Any) -> None:
        charge = sub.add_parser("service-deposit-charge", help="charge a service deposit to an account")
        charge.add_argument("account", help="account number, e.g. 1000001-6")
        charge.add_argument("--amount", required=True, help='dollars and cents, e.g. "100.00"')
        charge.add_argument("--memo", default="", help="why (goes in the audit trail)")
        charge.add_argument("--date", type=date_type("--date"), help="accounting date (default: today)")
        add_user_argument(charge)
        charge.add_argument("--json", action="store_true")
        held = sub.add_parser("service-deposit", help="the service deposit held for an account")
        held.add_argument("account")
        held.add_argument("--json", action="store_true")

    def _service_deposit_charge(self, options: dict[str, Any]) -> None:
        try:
            amount = Money.parse(options["amount"])
        except MoneyError:
            raise CommandError(f"--amount {options['amount']!r} is not an amount, e.g. 100.00") from None
        entry = customer_deposit_charge(
            account_number=options["account"].strip(),
            amount=amount,
            memo=options["memo"],
            actor=self.actor(options),
            as_of=options["date"] or clock.today(),
        )
        account_id = Account.objects.values_list("pk", flat=True).get(number=options["account"].strip())
        row = {
            "account_number": options["account"].strip(),
            "charged_cents": amount.cents,
            "held_cents": customer_deposit_held_cents(account_id),
            "entry_id": str(entry.pk),
        }
        if options["json"]:
            self.print_json(row)
            return
        self.stdout.write(
            f"Charged a deposit of {amount} to {row['account_number']}; "
            f"held {format_cents(row['held_cents'])}"
        )

    def _service_deposit(self, options: dict[str, Any]) -> None:
        account = Account.objects.filter(number=options["account"].strip()).first()
        if account is None:
            raise CommandError(f"No account {options['account']}")
        held = customer_deposit_held_cents(account.pk)
        if options["json"]:
            self.print_json({"account_number": account.number, "held_cents": held})
            return
        self.stdout.write(f"Deposit held for {account.number}: {format_cents(held)}")
