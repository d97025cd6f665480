"""Reads for letters: an account's letters, the queue waiting to be mailed or emailed."""

from __future__ import annotations

from django.db.models import QuerySet

from civicbill.core.exceptions import NotFoundError
from civicbill.correspondence.models import Letter, LetterStatus
from civicbill.customers.models import Account


def letter_get(letter_id: int) -> Letter:
    letter = (
        Letter.objects.select_related("account__customer", "account__premise").filter(pk=letter_id).first()
    )
    if letter is None:
        raise NotFoundError(f"There is no letter number {letter_id}.")
    return letter


def letters_for_account(account: Account, *, limit: int = 50) -> list[Letter]:
    """The account's letters, newest first."""
    return list(Letter.objects.filter(account=account).order_by("-created_at", "-id")[:limit])


def letters_queued(*, kind: str | None = None, channel: str | None = None) -> QuerySet[Letter]:
    """Letters waiting to be sent, oldest first (the order a mail run prints them)."""
    letters = Letter.objects.filter(status=LetterStatus.QUEUED).select_related("account__customer")
    if kind:
        letters = letters.filter(kind=kind)
    if channel:
        letters = letters.filter(channel=channel)
    return letters.order_by("created_at", "id")


def letters_with_reference(reference: str) -> list[Letter]:
    """The letters about one thing (a work order number such as ``WO-000012``), newest first."""
    return list(Letter.objects.filter(reference=reference).order_by("-created_at", "-id"))
