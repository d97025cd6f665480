"""Task progress: a batch job reports how far it is; pages and the CLI show it as a bar."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from civicbill.core import clock
from civicbill.core.models import TaskProgress


def progress_start(*, key: str, kind: str, label: str, total: int, started_by: Any = None) -> TaskProgress:
    """Create (or, for a resumed job with the same key, reopen) the progress record."""
    at = clock.now()
    progress, _ = TaskProgress.objects.update_or_create(
        key=key,
        defaults={
            "kind": kind,
            "label": label,
            "total": total,
            "status": TaskProgress.Status.RUNNING,
            "started_by": started_by if getattr(started_by, "pk", None) else None,
            "updated_at": at,
            "finished_at": None,
        },
        create_defaults={
            "kind": kind,
            "label": label,
            "total": total,
            "status": TaskProgress.Status.RUNNING,
            "started_by": started_by if getattr(started_by, "pk", None) else None,
            "created_at": at,
            "updated_at": at,
        },
    )
    return progress


def progress_advance(
    progress: TaskProgress, *, done: int = 0, exceptions: int = 0, message: str = ""
) -> None:
    """Add to the counts in one UPDATE (no read-modify-write race between workers)."""
    updates: dict[str, Any] = {
        "done": F("done") + done,
        "exceptions": F("exceptions") + exceptions,
        "updated_at": clock.now(),
    }
    if message:
        updates["message"] = message
    TaskProgress.objects.filter(pk=progress.pk).update(**updates)
    progress.refresh_from_db()


def progress_finish(
    progress: TaskProgress, *, succeeded: bool, message: str = "", result: dict[str, Any] | None = None
) -> None:
    at = clock.now()
    progress.status = TaskProgress.Status.SUCCEEDED if succeeded else TaskProgress.Status.FAILED
    progress.message = message or progress.message
    progress.result = result or {}
    progress.updated_at = at
    progress.finished_at = at
    progress.save(update_fields=["status", "message", "result", "updated_at", "finished_at"])
