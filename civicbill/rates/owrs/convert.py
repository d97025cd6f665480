"""An OWRS file as a civicbill schedule version. Pure.

The version stores the OWRS document itself (numbers as exact text) and is rated by
:mod:`civicbill.rates.owrs.lines` with RateParser's semantics, so an imported schedule bills
exactly what the OWRS reference calculator computes (to the cent, per line).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from civicbill.core.exceptions import ApplicationError
from civicbill.core.utility_services import Service
from civicbill.rates.owrs.calculator import CHARGE_STARTS, RATE_TYPES, standardize
from civicbill.rates.owrs.reader import OwrsFile, jsonable, read_owrs
from civicbill.rates.schedule_format import CODE_PATTERN, ScheduleDocument
from civicbill.rates.yamlio import YamlFileError, path_text


def parse_effective_date(value: Any) -> dt.date | None:
    """``2016-07-01``, ``07/01/2017`` (month/day/year) → a date; None when unreadable."""
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        month, day, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    return None


def _fail(owrs: OwrsFile, path: tuple[str | int, ...], message: str) -> ApplicationError:
    return ApplicationError(
        f"line {owrs.located.line(path)}: {path_text(path)}: {message}", code="invalid_owrs_file"
    )


def check_owrs(owrs: OwrsFile) -> list[str]:
    """Static checks of a parsed OWRS file; returns its customer classes. Raises ApplicationError (line)."""
    data = owrs.data
    if not isinstance(data, Mapping):
        raise ApplicationError("line 1: an OWRS file is a mapping with metadata and rate_structure")
    structure = data.get("rate_structure")
    if not isinstance(structure, Mapping) or not structure:
        raise _fail(
            owrs, ("rate_structure",), "missing or empty: an OWRS file needs a rate_structure of classes"
        )
    for class_name, class_rate in structure.items():
        if not isinstance(class_rate, Mapping):
            raise _fail(owrs, ("rate_structure", class_name), "must be a mapping of fields")
        if "bill" not in class_rate:
            raise _fail(owrs, ("rate_structure", class_name), "has no 'bill' field")
        fields = standardize(class_rate)
        for charge_name, (starts_name, _, _) in CHARGE_STARTS.items():
            rate_type = str(fields.get(charge_name, "")).strip()
            if rate_type != "Tiered" or not isinstance(fields.get(starts_name), list):
                continue
            original = starts_name if starts_name in class_rate else f"{starts_name}_commodity"
            for index, item in enumerate(fields[starts_name]):
                if isinstance(item, str) and not re.fullmatch(r"-?\d+(\.\d+)?", item.strip()):
                    raise _fail(
                        owrs,
                        ("rate_structure", class_name, original, index),
                        f"{item!r} is a budget tier start; a Tiered {charge_name} needs numbers "
                        f"(or make it {charge_name}: Budget)",
                    )
        for name, value in class_rate.items():
            if isinstance(value, Mapping) and (("depends_on" in value) != ("values" in value)):
                raise _fail(
                    owrs,
                    ("rate_structure", class_name, name),
                    "each 'depends_on' clause must have a corresponding 'values' clause, and vice versa",
                )
            if isinstance(value, str) and value.strip() in RATE_TYPES and name not in CHARGE_STARTS:
                raise _fail(
                    owrs,
                    ("rate_structure", class_name, name),
                    f"{value} applies to commodity_charge or sewer_charge only",
                )
    return [str(name) for name in structure]


def owrs_document(text: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """(JSON-ready OWRS data, warnings, classes) of an OWRS text. Raises ApplicationError (line)."""
    try:
        owrs = read_owrs(text)
    except YamlFileError as error:
        raise ApplicationError(f"the OWRS file {error}", code="invalid_owrs_file") from None
    classes = check_owrs(owrs)
    return jsonable(owrs.data), owrs.warnings, classes


def owrs_schedule_document(
    *,
    text: str,
    code: str,
    service: str = Service.WATER,
    source_name: str = "",
    effective_from: dt.date | None = None,
) -> ScheduleDocument:
    """An OWRS text as a schedule version document (``format: owrs``)."""
    code = code.strip().upper()
    if not CODE_PATTERN.match(code):
        raise ApplicationError(
            f"{code!r} is not a schedule code (capitals, digits, dashes, like W-RES)", field="code"
        )
    if service not in Service.values:
        raise ApplicationError(
            f"{service!r} is not a service; use one of {', '.join(Service.values)}", field="service"
        )
    data, warnings, classes = owrs_document(text)
    metadata: Mapping[str, Any] = data["metadata"] if isinstance(data.get("metadata"), Mapping) else {}
    day = effective_from or parse_effective_date(metadata.get("effective_date"))
    if day is None:
        raise ApplicationError(
            f"metadata.effective_date {metadata.get('effective_date')!r} is not a date; "
            "give --effective-from",
            field="effective_from",
        )
    frequency = str(metadata.get("bill_frequency") or "monthly").lower()
    name = str(metadata.get("utility_name") or code)
    name = " ".join(name.split())
    label = f"{name} ({source_name})" if source_name else name
    description = f"Imported from OWRS {source_name}".strip()
    document: dict[str, Any] = {
        "format": "owrs",
        "schedule": code,
        "service": service,
        "name": label,
        "description": description,
        "effective_from": day.isoformat(),
        "standard_days": 60 if frequency.startswith("bi") else 30,
        "bill_frequency": frequency,
        "unit": "HCF",
        "owrs_classes": classes,
        "warnings": warnings,
        "owrs": data,
    }
    return ScheduleDocument(
        code=code,
        service=service,
        name=label[:120],
        description=description,
        effective_from=day,
        document=document,
    )
