"""The notices the shutoff rules read: final notices (mailed, with the earliest shutoff date they
named), final notices posted at the premise after a broken arrangement, and tenant notices.

They are read from the notices table (``collections/models/notices.py``, CollectionNotice) by
kind: the customer's final notice (its ``mailed_on`` and the ``earliest_shutoff_on`` it named), the
final notice posted at the premise after a broken arrangement, and the tenants' notice. Nothing else
of the shutoff rules reads notices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from civicbill.collections.models import CollectionNotice, NoticeKind
from civicbill.core.chunks import slices

CHUNK = 900
FINAL, POSTED_FINAL, TENANT = NoticeKind.FINAL.value, NoticeKind.POSTED_FINAL.value, NoticeKind.TENANT.value


@dataclass(frozen=True, slots=True)
class NoticeRef:
    mailed_on: dt.date  # mailed, or posted at the premise
    earliest_shutoff_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class AccountNotices:
    final: NoticeRef | None = None  # the latest final notice mailed
    posted_final: NoticeRef | None = None  # the latest final notice posted at the premise
    tenant: NoticeRef | None = None  # the latest notice to the tenants of a landlord-billed building


def notices_for(account_ids: Iterable[int], as_of: dt.date) -> dict[int, AccountNotices]:
    """account id -> its latest notice of each kind mailed (or posted) on or before ``as_of``
    (absent: none)."""
    ids = sorted({int(account_id) for account_id in account_ids})
    latest: dict[int, dict[str, NoticeRef]] = {}
    for chunk in slices(ids, CHUNK):
        rows = (
            CollectionNotice.objects.filter(
                account_id__in=chunk, kind__in=(FINAL, POSTED_FINAL, TENANT), mailed_on__lte=as_of
            )
            .order_by("account_id", "mailed_on", "id")
            .values_list("account_id", "kind", "mailed_on", "earliest_shutoff_on")
        )
        for account_id, kind, mailed_on, earliest in rows:
            latest.setdefault(account_id, {})[kind] = NoticeRef(mailed_on, earliest)
    return {
        account_id: AccountNotices(kinds.get(FINAL), kinds.get(POSTED_FINAL), kinds.get(TENANT))
        for account_id, kinds in latest.items()
    }


def final_notices_for(account_ids: Iterable[int], as_of: dt.date) -> dict[int, NoticeRef]:
    """account id -> (mailed_on, earliest_shutoff_on) of its latest final notice."""
    return {
        account_id: notices.final
        for account_id, notices in notices_for(account_ids, as_of).items()
        if notices.final is not None
    }
