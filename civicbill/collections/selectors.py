"""Reads of the collections context that every part shares."""

from __future__ import annotations

import datetime as dt

from civicbill.collections.models import CollectionsPolicyVersion
from civicbill.collections.policy import DEFAULT_POLICY, CollectionsPolicy, policy_from_document


def policy_on(day: dt.date) -> CollectionsPolicy:
    """The collections policy in force on ``day``: the latest version effective on or before it,
    else the lawful default (collections.policy.DEFAULT_POLICY)."""
    version = (
        CollectionsPolicyVersion.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    )
    return DEFAULT_POLICY if version is None else policy_from_document(version.document)
