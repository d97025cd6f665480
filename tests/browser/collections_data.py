"""The data of the collections browser test, written into the server's database before it starts
(``python -m tests.browser.collections_data`` with the server's environment): the story of
tests/collections/test_collections_story.py without the payments. Rosa Peña and Tom Baker, residential
accounts of cycle 1 billed for October and November 2026, pay nothing; a posted collections run each day
from 2026-11-21 to Monday 2027-01-18 penalises them, sends the late and the final notices (2027-01-04)
and logs the 48-hour call, so the run of Tuesday 2027-01-19 makes both eligible for shutoff."""

from __future__ import annotations

import datetime as dt
import os

import django
import time_machine

FROZEN_AT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)  # as the story: the bills are made that day
READS = ((dt.date(2026, 9, 28), 10_000), (dt.date(2026, 10, 28), 11_800), (dt.date(2026, 11, 28), 13_100))
FIRST_RUN, LAST_RUN = dt.date(2026, 11, 21), dt.date(2027, 1, 18)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC)  # 07:00 in Coachella


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbill.settings")
    django.setup()
    from django.contrib.auth.models import User

    from civicbill.billing.services import (
        bill_run_commit,
        bill_run_start,
        bill_run_trial,
        billing_cycle_ensure,
    )
    from civicbill.collections.services.run import collections_run
    from civicbill.core import clock
    from civicbill.ledger.selectors import check_books
    from civicbill.rates.services import load_demo_schedules_trusted
    from tests.fixtures.accounts import build_account

    with time_machine.travel(FROZEN_AT, tick=False):
        technician = User.objects.get(username="technician")
        csr = User.objects.get(username="csr")
        load_demo_schedules_trusted(actor=technician, as_of=dt.date(2026, 12, 1))
        billing_cycle_ensure(number=1, name="North", read_day=28, actor=technician, at=clock.now())
        for n, (first, last) in enumerate((("Rosa", "Peña"), ("Tom", "Baker")), start=1):
            build_account(
                csr=csr, technician=technician, sequence=n, first_name=first, last_name=last, reads=READS
            )
        for period in (dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
            run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=dt.date(2026, 12, 1))
            run = bill_run_trial(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
            bill_run_commit(run_id=run.pk, actor=technician, as_of=dt.date(2026, 12, 1))
        day = FIRST_RUN
        while day <= LAST_RUN:
            collections_run(run_date=day, trial=False, actor=technician, at=at(day))
            day += dt.timedelta(days=1)
        assert check_books().ok


if __name__ == "__main__":
    main()
