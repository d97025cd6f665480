"""Text the API accepts: no control characters, no longer than the column it is stored in.

Two layers (issue 11, point 6):

* :class:`TextCheckingParser` looks at every string of every JSON body, query string and form: a NUL
  or another C0 control character (or DEL) is refused with 422 naming the field. Tab, line feed and
  carriage return pass this layer (multi-line notes may hold them). PostgreSQL cannot store a NUL at
  all, so without this a NUL was a 500.
* The schemas type their text fields :data:`SingleLine` (no tab or line break either: names,
  references, check numbers, keys) or :data:`MultiLine` (notes), with ``max_length`` taken from
  the model field they are stored in (:func:`column_length`), so a schema cannot drift from its
  column: a 10,000-character payer name is a 422, never a 500 on PostgreSQL nor a silently
  over-long value on SQLite.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.db import models
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError
from ninja.parser import Parser
from pydantic import AfterValidator

from civicbill.core.control_characters import CONTROL, CONTROL_OR_BREAK, character_name


def _single_line(value: str) -> str:
    found = CONTROL_OR_BREAK.search(value)
    if found:
        raise ValueError(
            f"must be one line without control characters (found {character_name(found.group())})"
        )
    return value


def _multi_line(value: str) -> str:
    found = CONTROL.search(value)
    if found:
        raise ValueError(f"must not contain control characters (found {character_name(found.group())})")
    return value


SingleLine = Annotated[str, AfterValidator(_single_line)]
MultiLine = Annotated[str, AfterValidator(_multi_line)]


def column_length(model: type[models.Model], field_name: str) -> int:
    """The ``max_length`` of a model's text column (a schema's limit follows its column)."""
    length = model._meta.get_field(field_name).max_length  # type: ignore[union-attr]
    if not length:
        raise ValueError(f"{model.__name__}.{field_name} has no max_length")
    return int(length)


def control_character_problems(data: Any, location: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Every string in ``data`` (nested dicts/lists) holding a control character, as pydantic-style
    errors located at ``location + path``."""
    problems: list[dict[str, Any]] = []
    if isinstance(data, str):
        found = CONTROL.search(data)
        if found:
            problems.append(
                {
                    "loc": location,
                    "msg": f"must not contain control characters (found {character_name(found.group())})",
                    "type": "control_character",
                }
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            problems += control_character_problems(value, (*location, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problems += control_character_problems(value, (*location, index))
    return problems


class TextCheckingParser(Parser):
    """Ninja's JSON parser, refusing control characters anywhere in the request (422 naming the
    field). A body problem reaches the API's error handler inside ninja's "cannot parse" 400, whose
    cause it is; the handler answers 422 (civicbill.api.router)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        problems = control_character_problems(data, ("body",))
        if problems:
            raise ValidationError(problems)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        problems = control_character_problems(
            {key: value for key, value in result.items() if isinstance(value, str | list)}, ("query",)
        )
        if problems:
            raise ValidationError(problems)
        return result
