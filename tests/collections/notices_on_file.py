"""A collection notice on file, as the notices step would have recorded it (with its queued letter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from civicbill.collections.models import CollectionNotice
from civicbill.correspondence.models import Letter


def notice_on_file(
    account: Any, mailed_on: dt.date, shutoff_on: dt.date | None, actor: Any, *, kind: str = "final",
    at: dt.datetime, amount_cents: int = 27550,
) -> CollectionNotice:  # fmt: skip
    letter = Letter.objects.create(
        account=account, kind="collections_final_notice", language="en", subject="Final notice",
        created_by=actor, created_at=at,
    )  # fmt: skip
    return CollectionNotice.objects.create(
        account=account, kind=kind, due_on=mailed_on - dt.timedelta(days=45),
        amount_delinquent_cents=amount_cents,
        notice_date=mailed_on, mailed_on=mailed_on, pay_by=mailed_on + dt.timedelta(days=7),
        earliest_shutoff_on=shutoff_on, language="en", recipient_name="Customer", address_lines=["1 Main St"],
        letter=letter, rule="final notice", created_by=actor, created_at=at,
    )  # fmt: skip
