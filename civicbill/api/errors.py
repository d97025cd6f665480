"""The API's one error shape, ``{"detail", "code", "field"}``, and its place in the OpenAPI document.

Every operation documents its refusals with this schema: 400 (a business rule), 401 (no valid token
or session), 403 (permission or CSRF), 404 (unknown record), 422 (the request does not match its
schema; ``errors`` lists each problem) and, for unsafe methods, 409 (an idempotency key reused for
a different request).
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA_NAME = "Error"

ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What is wrong, written for a person"},
        "code": {"type": "string", "description": "A stable code for scripts, e.g. idempotency_conflict"},
        "field": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "The request field at fault, when there is one (dotted: tenders.0.amount)",
        },
        "errors": {
            "type": "array",
            "description": "422 only: every field that does not match the schema",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["field", "message", "type"],
            },
        },
    },
    "required": ["detail", "code", "field"],
}

_DESCRIPTIONS = {
    "400": "A business rule refused the request",
    "401": "No valid bearer token or staff session",
    "403": "The role may not do this, or a session POST came without its CSRF token",
    "404": "An unknown record",
    "409": "The idempotency key was already used for a different request",
    "422": "The request does not match its schema (too long, a control character, a missing field ...)",
}
_UNSAFE = {"post", "put", "patch", "delete"}
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def add_error_responses(schema: Any) -> Any:
    """Add the error answers to every operation of an OpenAPI document (in place; returned)."""
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in _DESCRIPTIONS.items():
                if status == "409" and method not in _UNSAFE:
                    continue
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": reference}}},
                )
    return schema


def _field(location: Any) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
        if parts and parts[0] == "payload":  # the body parameter's own name
            parts = parts[1:]
    return ".".join(parts)


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The 422 answer: the first wrong field named in ``detail`` and ``field``, all of them in ``errors``."""
    problems = [
        {
            "field": _field(error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]
    first = problems[0] if problems else {"field": "", "message": "The request is not valid", "type": ""}
    detail = "; ".join(f"{p['field'] or 'request'}: {p['message']}" for p in problems) or first["message"]
    return {"detail": detail, "code": "invalid_request", "field": first["field"] or None, "errors": problems}
