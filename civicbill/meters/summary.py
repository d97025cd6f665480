"""The JSON shape of a meter and its history, shared by ``civicbill meters show`` and the API.

Register values, multipliers and consumption are decimal strings (exact, as stored: 3 decimals for
reads and HCF, 4 for the multiplier); dates are ISO; consumption is in HCF, the billing unit.
"""

from __future__ import annotations

from typing import Any

from civicbill.meters.models import Meter, Read
from civicbill.meters.selectors import MeterHistory


def _decimal(value: Any) -> str | None:
    return None if value is None else str(value)


def meter_row(meter: Meter) -> dict[str, Any]:
    return {
        "serial_number": meter.serial_number,
        "status": meter.status,
        "make": meter.make,
        "model": meter.model,
        "size": meter.size,
        "meter_type": meter.meter_type,
        "dials": meter.dials,
        "read_unit": meter.read_unit,
        "multiplier": _decimal(meter.multiplier),
        "endpoint_id": meter.endpoint_id,
        "purchase_date": meter.purchase_date.isoformat() if meter.purchase_date else None,
        "purchase_cost_cents": meter.purchase_cost_cents,
    }


def read_row(read: Read) -> dict[str, Any]:
    return {
        "read_on": read.read_on.isoformat(),
        "value": _decimal(read.value),
        "status": read.status,
        "source": read.source,
        "consumption_hcf": _decimal(read.consumption_hcf),
        "rolled_over": read.rolled_over,
        "service_point_id": read.service_point_id,
        "installation_id": read.installation_id,
    }


def meter_summary(history: MeterHistory) -> dict[str, Any]:
    """The meter, its status history, installations (where, which account), reads and tests."""
    return {
        "meter": meter_row(history.meter),
        "status_changes": [
            {
                "changed_on": change.changed_on.isoformat(),
                "from_status": change.from_status,
                "to_status": change.to_status,
                "reason": change.reason,
                "by": change.actor.username,
            }
            for change in history.status_changes
        ],
        "installations": [
            {
                "installation_id": record.installation.pk,
                "service_point_id": record.service_point.pk,
                "read_route": record.service_point.read_route,
                "route_sequence": record.service_point.route_sequence,
                "premise_address": record.premise_address,
                "account_number": record.account_number,
                "account_numbers": list(record.account_numbers),
                "installed_on": record.installation.installed_on.isoformat(),
                "install_read": _decimal(record.installation.install_read),
                "removed_on": (
                    record.installation.removed_on.isoformat() if record.installation.removed_on else None
                ),
                "removal_read": _decimal(record.installation.removal_read),
            }
            for record in history.installations
        ],
        "reads": [read_row(read) for read in history.reads],
        "tests": [
            {
                "tested_on": test.tested_on.isoformat(),
                "accuracy_percent": _decimal(test.accuracy_percent),
                "passed": test.passed,
                "notes": test.notes,
                "by": test.actor.username,
            }
            for test in history.tests
        ],
    }
