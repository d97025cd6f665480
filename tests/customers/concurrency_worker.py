"""Run by test_concurrency.py in its own process (``python -m``), against a throw-away, migrated database.

Clerks (threads, each with its own connection and transaction) open accounts at the same moment;
prints what each got as JSON: an account number, or the refusal's code.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from tests.fixtures.concurrency import outcome_text, run_concurrently, setup_django

CLERKS = 4
START = dt.date(2026, 3, 2)


def main() -> None:
    setup_django()
    from django.contrib.auth.models import Group, User

    from civicbill.customers import services

    water_sewer = [services.AgreementSpec("water", "W-RES"), services.AgreementSpec("sewer", "S-RES")]
    clerk = User.objects.create_user(username="clerk", password="concurrency-test-1")
    clerk.groups.add(Group.objects.get_or_create(name="CSR")[0])

    def customer(last_name: str) -> Any:
        return services.customer_create(
            kind="person",
            first_name="Cliente",
            last_name=last_name,
            mailing_line1="PO Box 1",
            mailing_city="Coachella",
            mailing_zip="92236",
            actor=clerk,
        )

    def premise(house_number: str) -> Any:
        return services.premise_create(
            house_number=house_number,
            street_name="Avenue 50",
            city="Coachella",
            zip_code="92236",
            premise_type="single_family",
            actor=clerk,
        )

    def open_account(who: Any, where: Any) -> Callable[[], str]:
        return lambda: (
            services.account_open(
                customer=who, premise=where, services=water_sewer, start_date=START, as_of=START, actor=clerk
            ).number
        )

    separate = run_concurrently(
        *(open_account(customer(f"Separate {n}"), premise(str(100 + n))) for n in range(CLERKS))
    )
    shared_premise = premise("52")
    same_premise = run_concurrently(*(open_account(customer(f"Same {n}"), shared_premise) for n in range(2)))
    print(
        json.dumps(
            {
                "separate_premises": [outcome_text(outcome) for outcome in separate],
                "same_premise": [outcome_text(outcome) for outcome in same_premise],
            }
        )
    )


if __name__ == "__main__":
    main()
