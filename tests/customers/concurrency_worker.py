"""Run by test_concurrency.py in its own process, against a throw-away, migrated database.

Clerks (threads, each with its own connection and transaction) open accounts at the same moment;
prints what each got as JSON: an account number, or the refusal's code.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

CLERKS = 4
START = dt.date(2026, 3, 2)


def at_once(work: list[Callable[[], str]]) -> list[str]:
    from django.db import connection

    from civicbill.core.exceptions import ApplicationError

    barrier = threading.Barrier(len(work))
    results = [""] * len(work)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work[index]()
        except ApplicationError as error:
            results[index] = f"refused: {error.code}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
    import django

    django.setup()
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

    separate = at_once(
        [open_account(customer(f"Separate {n}"), premise(str(100 + n))) for n in range(CLERKS)]
    )
    shared_premise = premise("52")
    same_premise = at_once([open_account(customer(f"Same {n}"), shared_premise) for n in range(2)])
    print(json.dumps({"separate_premises": separate, "same_premise": same_premise}))


if __name__ == "__main__":
    main()
