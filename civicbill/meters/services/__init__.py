"""Writes for meters: inventory (receive, status, tests), service points and installations.

Every service is keyword-only, runs in one transaction, checks the actor's permission first (so a
refused request writes nothing), refuses bad input with an :class:`ApplicationError` naming the field
and value, and records an audit event. Business dates are passed in; only ``created_at`` stamps come
from :func:`civicbill.core.clock.now`.

Import from here (``from civicbill.meters import services``); the modules are an internal split.
(Reads entry, import and review live in their own modules of this package.)
"""

from __future__ import annotations

from civicbill.meters.services.installations import (
    meter_exchange,
    meter_install,
    meter_install_for_account,
    meter_remove,
    service_point_create,
)
from civicbill.meters.services.inventory import (
    LIFECYCLE,
    ReceiveResult,
    accuracy_band,
    meter_receive,
    meter_status_change,
    meter_test_record,
    meters_receive_file,
)
from civicbill.meters.services.read_estimates import EstimateLine, EstimateReport, estimate_missing_reads
from civicbill.meters.services.read_exceptions import (
    read_exception_accept,
    read_exception_correct,
    read_exception_mark_reread_requested,
    read_exception_reject,
    read_exception_resolve_by_reread,
)
from civicbill.meters.services.reads import (
    ExceptionLine,
    ImportReport,
    ReadOutcome,
    read_record,
    reads_import,
)

__all__ = [
    "LIFECYCLE",
    "EstimateLine",
    "EstimateReport",
    "ExceptionLine",
    "ImportReport",
    "ReadOutcome",
    "ReceiveResult",
    "accuracy_band",
    "estimate_missing_reads",
    "meter_exchange",
    "meter_install",
    "meter_install_for_account",
    "meter_receive",
    "meter_remove",
    "meter_status_change",
    "meter_test_record",
    "meters_receive_file",
    "read_exception_accept",
    "read_exception_correct",
    "read_exception_mark_reread_requested",
    "read_exception_reject",
    "read_exception_resolve_by_reread",
    "read_record",
    "reads_import",
    "service_point_create",
]
