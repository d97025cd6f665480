"""Writes of the autopay app, one module per concern, re-exported here."""

from civicbill.autopay.services.drafts import ach_draft_cancel, ach_draft_create
from civicbill.autopay.services.enrollment import (
    AuthorizationIn,
    autopay_bank_change,
    autopay_end,
    autopay_enroll,
)
from civicbill.autopay.services.returns import ach_return_resolve, ach_return_review, ach_returns_import

__all__ = [
    "AuthorizationIn",
    "ach_draft_cancel",
    "ach_draft_create",
    "ach_return_resolve",
    "ach_return_review",
    "ach_returns_import",
    "autopay_bank_change",
    "autopay_end",
    "autopay_enroll",
]
