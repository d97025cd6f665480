"""Writes of the payments app (cashiering). One module per concern; everything is re-exported here."""

from civicbill.payments.services.day import day_close
from civicbill.payments.services.sessions import (
    CountLine,
    drawer_create,
    drawer_session_approve,
    drawer_session_close,
    drawer_session_open,
)
from civicbill.payments.services.taking import (
    AccountAmount,
    misc_receipt_take,
    payment_take,
    payment_void,
    payment_void_check,
    receipt_reprint,
)
from civicbill.payments.tenders import TenderInput

__all__ = [
    "AccountAmount",
    "CountLine",
    "TenderInput",
    "day_close",
    "drawer_create",
    "drawer_session_approve",
    "drawer_session_close",
    "drawer_session_open",
    "misc_receipt_take",
    "payment_take",
    "payment_void",
    "payment_void_check",
    "receipt_reprint",
]

# payments from other channels, suspense, returned payments, refunds (appended)
from civicbill.payments.services.lockbox import ImportResult, payment_file_import
from civicbill.payments.services.online import online_file_import
from civicbill.payments.services.refunds import (
    refund_approve,
    refund_reject,
    refund_request,
    refunds_ap_export,
)
from civicbill.payments.services.returned_checks import payment_return, returned_item_fee_on
from civicbill.payments.services.suspense import suspense_apply, suspense_queue
from civicbill.payments.services.transfers import payment_transfer

__all__ += [
    "ImportResult",
    "online_file_import",
    "payment_file_import",
    "payment_return",
    "payment_transfer",
    "refund_approve",
    "refund_reject",
    "refund_request",
    "refunds_ap_export",
    "returned_item_fee_on",
    "suspense_apply",
    "suspense_queue",
]
