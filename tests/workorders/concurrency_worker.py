"""Run by test_concurrency.py in its own process (``python -m``), against a throw-away, migrated database.

Clerks (threads, each with its own connection and transaction) create work orders at the same
moment; prints what each got as JSON: a work order number, or the refusal's code.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.fixtures.concurrency import outcome_text, run_concurrently, setup_django

CLERKS = 4
DUE_ON = dt.date(2099, 1, 5)


def main() -> None:
    setup_django()
    from django.contrib.auth.models import Group, User

    from civicbill.customers import services as customer_services
    from civicbill.workorders import services

    clerk = User.objects.create_user(username="clerk", password="concurrency-test-1")
    clerk.groups.add(Group.objects.get_or_create(name="CSR")[0])

    def premise(house_number: str) -> Any:
        return customer_services.premise_create(
            house_number=house_number,
            street_name="Avenue 50",
            city="Coachella",
            zip_code="92236",
            premise_type="single_family",
            actor=clerk,
        )

    def create(at: Any) -> str:
        return services.workorder_create(
            work_type="leak_check",
            premise=at,
            description="Check for a leak",
            due_on=DUE_ON,
            actor=clerk,
            as_of=dt.date(2026, 12, 1),
        ).number

    premises = [premise(str(100 + index)) for index in range(CLERKS)]
    separate = run_concurrently(*(lambda at=at: create(at) for at in premises))
    shared = premise("200")
    same = run_concurrently(lambda: create(shared), lambda: create(shared))
    print(
        json.dumps(
            {
                "separate_premises": [outcome_text(outcome) for outcome in separate],
                "same_premise": [outcome_text(outcome) for outcome in same],
            }
        )
    )


if __name__ == "__main__":
    main()
