"""Run by test_concurrency.py in its own process (``python -m``), against a throw-away, migrated database.

Two cashiers (threads, each with its own connection and transaction) pay the same account at the
same moment; then one cashier's request is sent twice at once with the same idempotency key.
Prints the outcome as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from tests.fixtures.concurrency import outcome_text, run_concurrently, setup_django

TUESDAY_9AM = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)


def main() -> None:
    setup_django()
    from django.contrib.auth.models import Group, User

    from civicbill.core.money import Money
    from civicbill.customers import services as customer_services
    from civicbill.ledger import chart
    from civicbill.ledger.posting import PostingLine
    from civicbill.ledger.selectors import account_balance_by_service, check_books
    from civicbill.ledger.services import entry_post
    from civicbill.payments import services
    from civicbill.payments.models import Payment
    from civicbill.payments.services import AccountAmount, TenderInput

    def user(name: str, role: str) -> Any:
        made = User.objects.create_user(username=name, password="concurrency-test-1")
        made.groups.add(Group.objects.get_or_create(name=role)[0])
        return made

    ana, ben, tech, boss = (
        user("ana", "CSR"),
        user("ben", "CSR"),
        user("tech", "Technician"),
        user("boss", "Supervisor"),
    )
    account = customer_services.move_in_new_customer(
        data={
            "kind": "person", "first_name": "Rosa", "last_name": "Peña", "phone": "760-555-0142", "email": "",
            "preferred_language": "es", "house_number": "52", "street_name": "Avenue 48", "city": "Coachella",
            "zip_code": "92236", "premise_type": "single_family", "dwelling_units": 1, "billing_cycle": 1,
            "start_date": dt.date(2026, 11, 2), "mailing_same_as_service": True,
        },
        services=[("water", "W-RES"), ("sewer", "S-RES")],
        actor=ana,
        as_of=dt.date(2026, 12, 1),
    )  # fmt: skip
    lines = []
    for service, text in (("water", "48.20"), ("sewer", "41.81")):
        amount = Money.parse(text)
        lines += [
            PostingLine.debit(
                chart.receivable_control_for(service).code,
                amount,
                customer_account_id=account.pk,
                service=service,
            ),
            PostingLine.credit(chart.conversion_equity_for(chart.fund_for(service)).code, amount),
        ]
    entry_post(
        lines=lines, accounting_date=dt.date(2026, 11, 30), source_type="conversion", source_ref="legacy",
        idempotency_key="conversion:1", reason="conversion", actor=tech,
    )  # fmt: skip
    one = services.drawer_create(
        location_code="CH", location_name="City Hall", code="CH-1", name="1", actor=boss
    )
    two = services.drawer_create(
        location_code="CH", location_name="City Hall", code="CH-2", name="2", actor=boss
    )
    sessions = {
        ana: services.drawer_session_open(
            drawer=one, starting_float=Money.parse("100"), as_of=TUESDAY_9AM, actor=ana
        ),
        ben: services.drawer_session_open(
            drawer=two, starting_float=Money.parse("100"), as_of=TUESDAY_9AM, actor=ben
        ),
    }

    def pay(cashier: Any, key: str) -> Callable[[], str]:
        def work() -> str:
            payment = services.payment_take(
                session=sessions[cashier],
                accounts=[AccountAmount(account, Money.parse("50.00"))],
                tenders=[TenderInput("cash", Money.parse("50.00"))],
                idempotency_key=key,
                as_of=TUESDAY_9AM,
                actor=cashier,
            )
            return payment.receipt_number

        return work

    two_cashiers = [outcome_text(o) for o in run_concurrently(pay(ana, "ana-1"), pay(ben, "ben-1"))]
    retried = [outcome_text(o) for o in run_concurrently(pay(ana, "ana-2"), pay(ana, "ana-2"))]
    by_service = {s: m.cents for s, m in account_balance_by_service(account).items()}
    print(
        json.dumps(
            {
                "two_cashiers": two_cashiers,
                "retried": retried,
                "payments": Payment.objects.count(),
                "balance_by_service": by_service,
                "books_ok": check_books().ok,
            }
        )
    )


if __name__ == "__main__":
    main()
