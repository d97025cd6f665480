"""The notices the shutoff rules read: final notices (mailed, with the earliest shutoff date they
named), final notices posted at the premise after a broken arrangement, and tenant notices.

ISOLATED ON PURPOSE. The "notices" area (issue 14) owns the notices table
(``collections/models/notices.py``: CollectionNotice with account, kind late|final|final_occupant|
third_party|tenant|posted_final, mailed_on, earliest_shutoff_on, bill ...). Until it is merged, this
module reads a stand-in: the account's ``final_notice_sent`` stage events, whose ``detail`` carries
``notice_kind`` ("final", "posted_final" or "tenant", default "final") and ``earliest_shutoff_on``
(ISO date), the event's ``occurred_on`` being the mailing (or posting) date. At merge, only the body
of :func:`notices_for` changes, to one query of CollectionNotice by kind; nothing else reads notices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from civicbill.collections.models import CollectionStage, StageEvent
from civicbill.core.chunks import slices

CHUNK = 900
FINAL, POSTED_FINAL, TENANT = "final", "posted_final", "tenant"


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
    """account id -> its latest notice of each kind on or before ``as_of`` (absent: none)."""
    ids = sorted({int(account_id) for account_id in account_ids})
    latest: dict[int, dict[str, NoticeRef]] = {}
    for chunk in slices(ids, CHUNK):
        rows = (
            StageEvent.objects.filter(
                account_id__in=chunk, stage=CollectionStage.FINAL_NOTICE_SENT, occurred_on__lte=as_of
            )
            .order_by("account_id", "occurred_on", "id")
            .values_list("account_id", "occurred_on", "detail")
        )
        for account_id, occurred_on, detail in rows:
            detail = detail or {}
            named = detail.get("earliest_shutoff_on")
            ref = NoticeRef(occurred_on, dt.date.fromisoformat(named) if named else None)
            latest.setdefault(account_id, {})[str(detail.get("notice_kind", FINAL))] = ref
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
