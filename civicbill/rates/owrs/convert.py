"""An OWRS file as a civicbill schedule version. Pure.

The version stores the OWRS document itself (numbers as exact text) and is rated by
:mod:`civicbill.rates.owrs.lines` with RateParser's semantics, so an imported schedule bills
exactly what the OWRS reference calculator computes (to the cent, per line).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from civicbill.core.exceptions import ApplicationError
from civicbill.core.utility_services import Service
from civicbill.rates.owrs.calculator import CHARGE_STARTS, RATE_TYPES, _as_list, _as_number, standardize
from civicbill.rates.owrs.formula import FormulaError, parse_formula
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


@dataclass(frozen=True)
class ClassProblem:
    """Why a customer class of an OWRS file was skipped on import: the field at fault and its line."""

    customer_class: str
    field: str
    problem: str
    line: int
    path: str

    def as_json(self) -> dict[str, Any]:
        return {
            "class": self.customer_class,
            "field": self.field,
            "line": self.line,
            "path": self.path,
            "problem": self.problem,
        }

    @property
    def located(self) -> str:
        return f"line {self.line}: {self.path}: {self.problem}"


_BUDGET_WORDS = ("indoor", "outdoor")
_TIER_FIELDS = frozenset(
    name
    for starts, prices, _ in CHARGE_STARTS.values()
    for base in (starts, prices)
    for name in (base, f"{base}_commodity")
)


def _looks_like_budget_start(item: Any) -> bool:
    text = str(item).strip().lower()
    return text in _BUDGET_WORDS or text.endswith("%")


class _ClassCheck:
    """The static checks of one customer class; each problem names the field and its line."""

    def __init__(self, owrs: OwrsFile, class_name: str, class_rate: Any) -> None:
        self.owrs = owrs
        self.class_name = class_name
        self.class_rate = class_rate
        self.problems: list[ClassProblem] = []

    def add(self, tail: tuple[str | int, ...], problem: str, *, field: str | None = None) -> None:
        path = ("rate_structure", self.class_name, *tail)
        self.problems.append(
            ClassProblem(
                customer_class=self.class_name,
                field=field if field is not None else (str(tail[0]) if tail else ""),
                problem=problem,
                line=self.owrs.located.line(path),
                path=path_text(path),
            )
        )

    def run(self) -> list[ClassProblem]:
        class_rate = self.class_rate
        if not isinstance(class_rate, Mapping):
            self.add((), "must be a mapping of fields")
            return self.problems
        if "bill" not in class_rate:
            self.add((), "has no 'bill' field", field="bill")
        for name, value in class_rate.items():
            self._field(str(name), value)
        fields = standardize(class_rate)
        for charge_name, names in CHARGE_STARTS.items():
            rate_type = fields.get(charge_name)
            if isinstance(rate_type, str) and rate_type.strip() in RATE_TYPES:
                self._charge(charge_name, rate_type.strip(), names, fields)
        return self.problems

    def _field(self, name: str, value: Any) -> None:
        if isinstance(value, Mapping):
            if ("depends_on" in value) != ("values" in value):
                self.add(
                    (name,),
                    "each 'depends_on' clause must have a corresponding 'values' clause, and vice versa",
                )
            elif "depends_on" not in value:
                self.add((name,), "a mapping without depends_on and values")
            elif not isinstance(value["values"], Mapping):
                self.add((name, "values"), "must be a mapping of values", field=name)
            elif name not in _TIER_FIELDS:
                for key, item in value["values"].items():
                    text = item.strip() if isinstance(item, str) else ""
                    if text[:1] in tuple("0123456789.-+$") and text and _as_number(text) is None:
                        self.add((name, "values", key), f"{item!r} is not a number", field=name)
            return
        if not isinstance(value, str) or name in _TIER_FIELDS:
            return
        text = value.strip()
        if text in RATE_TYPES:
            if name not in CHARGE_STARTS:
                self.add((name,), f"{text} applies to commodity_charge or sewer_charge only")
            return
        if _as_number(text) is None:
            try:
                parse_formula(text)
            except FormulaError as error:
                self.add((name,), f"not a number or a formula: {error}")

    def _spelling(self, name: str) -> str:
        return name if name in self.class_rate else f"{name}_commodity"

    def _variants(self, name: str) -> list[tuple[tuple[str | int, ...], list[Any], bool]]:
        """The lists a tier field can take: (path, items, is a YAML list) for a list or each lookup value."""
        key = self._spelling(name)
        value = self.class_rate[key]
        if isinstance(value, Mapping):
            values = value.get("values")
            if "depends_on" not in value or not isinstance(values, Mapping):
                return []  # reported by _field
            return [
                ((key, "values", option), _as_list(item), isinstance(item, list))
                for option, item in values.items()
            ]
        return [((key,), _as_list(value), isinstance(value, list))]

    def _charge(
        self, charge_name: str, rate_type: str, names: tuple[str, str, str], fields: Mapping[str, Any]
    ) -> None:
        starts_name, prices_name, budget_name = names
        needed = [starts_name, prices_name] + ([budget_name] if rate_type == "Budget" else [])
        missing = [name for name in needed if fields.get(name) is None]
        for name in missing:
            self.add(
                (charge_name,),
                f"missing: {charge_name}: {rate_type} needs {name} (or {name}_commodity)",
                field=name,
            )
        if starts_name in missing or prices_name in missing:
            return
        starts_variants = self._variants(starts_name)
        prices_variants = self._variants(prices_name)
        for path, items, is_list in prices_variants:
            for index, item in enumerate(items):
                if _as_number(item) is None:
                    where = (*path, index) if is_list else path
                    self.add(where, f"{item!r} is not a number", field=str(path[0]))
        for path, items, is_list in starts_variants:
            self._starts(charge_name, rate_type, path, items, is_list)
        for starts_path, starts, _ in starts_variants:
            for prices_path, prices, _ in prices_variants:
                if len(starts) != len(prices):
                    context = (
                        path_text(starts_path)
                        if len(starts_variants) == 1
                        else f"{path_text(starts_path)}, {path_text(prices_path)}"
                    )
                    self.add(
                        prices_path,
                        f"{len(prices)} price{'s' if len(prices) != 1 else ''} for {len(starts)} tier "
                        f"start{'s' if len(starts) != 1 else ''} ({context})",
                        field=str(prices_path[0]),
                    )
                    return

    def _starts(
        self, charge_name: str, rate_type: str, path: tuple[str | int, ...], items: list[Any], is_list: bool
    ) -> None:
        numbers: list[Any] = []
        for index, item in enumerate(items):
            where = (*path, index) if is_list else path
            number = _as_number(item)
            if number is not None:
                numbers.append(number)
                continue
            if rate_type == "Tiered" and _looks_like_budget_start(item):
                self.add(
                    where,
                    f"{item!r} is a budget tier start; a Tiered {charge_name} needs numbers "
                    f"(or make it {charge_name}: Budget)",
                    field=str(path[0]),
                )
            elif rate_type == "Tiered":
                self.add(where, f"{item!r} is not a number", field=str(path[0]))
            else:
                text = str(item).strip().lower()
                if text in _BUDGET_WORDS or (text.endswith("%") and _as_number(text[:-1]) is not None):
                    continue
                self.add(
                    where,
                    f"{item!r} is not a number, indoor, outdoor or a percentage",
                    field=str(path[0]),
                )
        if rate_type == "Tiered" and len(numbers) == len(items):
            for before, after in pairwise(numbers):
                if after <= before:
                    self.add(
                        path,
                        f"tier starts must increase: {after} comes after {before}",
                        field=str(path[0]),
                    )
                    return


def check_owrs(owrs: OwrsFile) -> tuple[list[str], list[ClassProblem]]:
    """Static checks of a parsed OWRS file: (the classes that can be imported, the problems of the others).

    A file-level problem (not a mapping, no rate_structure) or a file whose every class has a problem
    raises ApplicationError (with the lines); a malformed class is otherwise only skipped.
    """
    data = owrs.data
    if not isinstance(data, Mapping):
        raise ApplicationError("line 1: an OWRS file is a mapping with metadata and rate_structure")
    structure = data.get("rate_structure")
    if not isinstance(structure, Mapping) or not structure:
        raise _fail(
            owrs, ("rate_structure",), "missing or empty: an OWRS file needs a rate_structure of classes"
        )
    classes: list[str] = []
    problems: list[ClassProblem] = []
    for class_name, class_rate in structure.items():
        found = _ClassCheck(owrs, str(class_name), class_rate).run()
        if found:
            problems.extend(found)
        else:
            classes.append(str(class_name))
    if not classes:
        located = "; ".join(problem.located for problem in problems)
        message = (
            located
            if len(problems) == 1
            else f"No customer class of the OWRS file can be imported: {located}"
        )
        raise ApplicationError(message, code="invalid_owrs_file")
    return classes, problems


def owrs_document(text: str) -> tuple[dict[str, Any], list[str], list[str], list[ClassProblem]]:
    """(JSON-ready OWRS data, warnings, classes, problems of skipped classes) of an OWRS text.

    Raises ApplicationError (line) when the file cannot be read or no class can be imported.
    """
    try:
        owrs = read_owrs(text)
    except YamlFileError as error:
        raise ApplicationError(f"the OWRS file {error}", code="invalid_owrs_file") from None
    classes, problems = check_owrs(owrs)
    return jsonable(owrs.data), owrs.warnings, classes, problems


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
    data, warnings, classes, problems = owrs_document(text)
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
        "skipped_classes": [problem.as_json() for problem in problems],
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
