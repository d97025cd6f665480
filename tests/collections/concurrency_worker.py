"""Run by test_run_concurrency.py in its own process (``python -m``), against a throw-away, migrated
database.

Two posted collections runs of the same date start at the same moment (threads, each with its own
connection): each delinquent bill must be penalised once. Prints what happened as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.fixtures.concurrency import outcome_text, run_concurrently, setup_django

ACCOUNTS = 12
RUN_DATE = dt.date(
    2026, 11, 30
)  # the first business day after Thanksgiving; the bills were due Friday 2026-11-20


def main() -> None:
    setup_django()
    from django.contrib.auth.models import Group, User

    from civicbill.collections.models import CollectionRun, PenaltyAssessment
    from civicbill.collections.services.run import collections_run
    from civicbill.core.money import Money
    from civicbill.core.permissions import TECHNICIAN
    from civicbill.ledger import chart
    from civicbill.ledger.models import JournalEntry
    from civicbill.ledger.posting import PostingLine
    from civicbill.ledger.selectors import check_books
    from civicbill.ledger.services import entry_post
    from tests.fixtures.accounts import build_account
    from tests.fixtures.billing import make_november_bill

    technician = User.objects.create_user(username="tech", password="concurrency-test-1")
    technician.groups.add(Group.objects.get_or_create(name=TECHNICIAN)[0])
    for n in range(1, ACCOUNTS + 1):
        account = build_account(sequence=n, rows_only=True)
        lines = []
        for service, cents in (("water", 4080), ("sewer", 4181)):
            amount = Money.from_cents(cents)
            lines += [
                PostingLine.debit(
                    chart.receivable_control_for(service).code,
                    amount,
                    customer_account_id=account.pk,
                    service=service,
                ),
                PostingLine.credit(chart.revenue_for(service).code, amount),
            ]
        entry = entry_post(
            lines=lines, accounting_date=dt.date(2026, 10, 30), source_type="bill", source_ref=f"B{n}",
            idempotency_key=f"bill:B{n}", reason="bill", actor=technician,
        )  # fmt: skip
        make_november_bill(
            account, None, number=f"202610-{n:07d}", lines=[], period=dt.date(2026, 10, 1),
            bill_date=dt.date(2026, 10, 30), due_date=dt.date(2026, 11, 20), journal_entry=entry,
            current_charges_cents=8261, total_due_cents=8261,
        )  # fmt: skip

    at = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)

    def run() -> Any:
        return collections_run(run_date=RUN_DATE, trial=False, actor=technician, at=at).status

    outcomes = run_concurrently(run, run)
    penalties = list(PenaltyAssessment.objects.values_list("bill_id", "amount_cents"))
    print(
        json.dumps(
            {
                "runs": [outcome_text(outcome) for outcome in outcomes],
                "statuses": sorted(CollectionRun.objects.values_list("status", flat=True)),
                "penalties": len(penalties),
                "bills_penalised": len({bill_id for bill_id, _ in penalties}),
                "penalty_cents": sum(cents for _, cents in penalties),
                "penalty_entries": JournalEntry.objects.filter(source_type="penalty").count(),
                "books_ok": check_books().ok,
            }
        )
    )


if __name__ == "__main__":
    main()
