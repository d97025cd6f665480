"""The one place the autopay app takes row locks (``select_for_update``).

Lock order, to avoid deadlocks: draft file, then enrollments by id (then the payments app's own
order: customer accounts by id, then payments).
"""

from __future__ import annotations

from collections.abc import Iterable

from civicbill.autopay.models import AchReturn, DraftFile, Enrollment


def lock_enrollment(enrollment_id: int) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("account__customer")
        .get(pk=enrollment_id)
    )


def lock_enrollments(enrollment_ids: Iterable[int], *, chunk: int = 900) -> None:
    """Lock many enrollments (id order) without loading them: those a draft file uses."""
    ids = sorted(set(enrollment_ids))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        list(Enrollment.objects.select_for_update().filter(pk__in=part).order_by("pk").values_list("pk"))


def lock_draft_file(draft_file_id: int) -> DraftFile:
    return DraftFile.objects.select_for_update().get(pk=draft_file_id)


def lock_return(return_id: int) -> AchReturn:
    return AchReturn.objects.select_for_update().get(pk=return_id)
