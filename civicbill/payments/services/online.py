"""Online/IVR payment files: imported through the same path as lockbox files (channel ``online``)."""

from __future__ import annotations

import datetime as dt

from civicbill.core.actors import Actor
from civicbill.payments.allocation import DEFAULT_POLICY, AllocationPolicy
from civicbill.payments.models import PaymentImport
from civicbill.payments.services.lockbox import ImportResult, payment_file_import


def online_file_import(
    *,
    content: bytes,
    file_name: str,
    as_of: dt.datetime,
    actor: Actor,
    policy: AllocationPolicy = DEFAULT_POLICY,
) -> ImportResult:
    """Import an ``online-csv`` file (docs/payment-files.md): payments matched by account number,
    the unmatched to suspense, posted Dr cash / Cr receivable like a lockbox payment."""
    return payment_file_import(
        content=content,
        file_name=file_name,
        file_format=PaymentImport.Format.ONLINE_CSV,
        as_of=as_of,
        actor=actor,
        policy=policy,
    )
