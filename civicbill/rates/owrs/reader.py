"""Reading an OWRS file. Pure.

OWRS files are YAML. civicbill reads them with line numbers and exact numbers
(:mod:`civicbill.rates.yamlio`). Some published files have one indentation slip that strict YAML
refuses: the first key of a customer class indented deeper than the keys after it (Santa Monica's
``RESIDENTIAL_SINGLE``, after a commented-out ``service_charge``). When the file does not parse as
is, the reader aligns such a key with its siblings and says so in the warnings; any other error is
reported with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from civicbill.rates.yamlio import LocatedDocument, YamlFileError, load_located


@dataclass
class OwrsFile:
    located: LocatedDocument
    warnings: list[str] = field(default_factory=list)

    @property
    def data(self) -> Any:
        return self.located.data


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def repair_indentation(text: str) -> tuple[str, list[str]]:
    """Align a key indented deeper than the sibling keys after it, right under its parent key."""
    lines = text.split("\n")
    content = [index for index, line in enumerate(lines) if _is_content(line)]
    warnings = []
    for position in range(1, len(content) - 1):
        previous, current, following = content[position - 1], content[position], content[position + 1]
        parent, here, after = _indent(lines[previous]), _indent(lines[current]), _indent(lines[following])
        key_line = ":" in lines[current] and not lines[current].lstrip().startswith("-")
        sibling_is_key = ":" in lines[following] and not lines[following].lstrip().startswith("-")
        if lines[previous].rstrip().endswith(":") and parent < after < here and key_line and sibling_is_key:
            lines[current] = " " * after + lines[current].lstrip(" ")
            key = lines[current].strip().split(":", 1)[0]
            warnings.append(
                f"line {current + 1}: {key!r} was indented deeper than the keys after it; "
                "read as their sibling"
            )
    return "\n".join(lines), warnings


def read_owrs(text: str) -> OwrsFile:
    """Parse OWRS text. Raises YamlFileError (with the line) when it cannot be read."""
    try:
        return OwrsFile(located=load_located(text))
    except YamlFileError as first_error:
        repaired, warnings = repair_indentation(text)
        if not warnings:
            raise
        try:
            return OwrsFile(located=load_located(repaired), warnings=warnings)
        except YamlFileError:
            raise first_error from None


def jsonable(value: Any) -> Any:
    """The parsed file as JSON-ready data: numbers become their exact text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    return value
