"""Input checks the customer services apply before writing. Pure: no ORM.

Views and forms check first and show these problems next to the field; the services check again so
the API, the CLI and tasks cannot write what a form would have refused. Each problem raises an
:class:`ApplicationError` naming the field (``error.field`` is the argument's name) and the value, in
words a counter clerk can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from civicbill.core.exceptions import ApplicationError
from civicbill.customers.normalize import format_phone, is_us_phone, phone_digits

LABELS: dict[str, str] = {
    "kind": "Customer type",
    "first_name": "First name",
    "last_name": "Last name",
    "business_name": "Business name",
    "mailing_line1": "Mailing address",
    "mailing_line2": "Mailing address line 2",
    "mailing_city": "Mailing city",
    "mailing_state": "Mailing state",
    "mailing_zip": "Mailing ZIP code",
    "phone": "Phone",
    "email": "Email",
    "preferred_language": "Language",
    "house_number": "House number",
    "street_name": "Street",
    "unit": "Unit",
    "city": "City",
    "state": "State",
    "zip_code": "ZIP code",
    "parcel_number": "Parcel number",
    "premise_type": "Premise type",
    "dwelling_units": "Dwelling units",
    "billing_cycle": "Billing cycle",
    "read_route": "Read route",
    "route_sequence": "Route sequence",
    "rate_schedule_code": "Rate schedule",
    "containers": "Containers",
    "container_size": "Container size",
    "service_size": "Fire service size",
    "body": "Note",
    "subject": "Subject",
    "outcome": "Outcome",
    "channel": "Channel",
    "direction": "Direction",
    "reason": "Reason",
    "services": "Service",
    "start_date": "Start date",
    "end_date": "Last day of service",
    "move_date": "Move date",
    "occurred_at": "When it happened",
    "as_of": "As-of date",
}

_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_STATE = re.compile(r"^[A-Z]{2}$")
MAX_TEXT_LENGTH = 4000
MAX_BILLING_CYCLE = 99


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


def refuse(field: str, message: str, *, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    """A trimmed string; refused when missing (if required), not text, or too long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise refuse(field, f"{label(field)} must be text, not {value!r}.")
    cleaned = " ".join(value.split()) if "\n" not in value else value.strip()
    if required and not cleaned:
        raise refuse(field, f"{label(field)} is missing.", code="required")
    if len(cleaned) > max_length:
        raise refuse(
            field,
            f"{label(field)} is too long: {len(cleaned)} characters, at most {max_length}.",
            code="too_long",
        )
    return cleaned


def choice(value: Any, field: str, choices: list[str] | tuple[str, ...]) -> str:
    if value not in choices:
        raise refuse(field, f"{label(field)} {value!r} is not one of: {', '.join(choices)}.")
    return str(value)


def zip_code(value: Any, field: str) -> str:
    cleaned = text(value, field, max_length=10, required=True)
    if not _ZIP.match(cleaned):
        raise refuse(
            field, f"{label(field)} {cleaned!r} is not a 5-digit ZIP code (or ZIP+4 like 92236-1234)."
        )
    return cleaned


def state(value: Any, field: str) -> str:
    cleaned = text(value, field, max_length=40, required=True).upper()
    if not _STATE.match(cleaned):
        raise refuse(field, f"{label(field)} {cleaned!r} is not a two-letter state code like CA.")
    return cleaned


def phone(value: Any, field: str = "phone") -> tuple[str, str]:
    """(display form ``760-555-0134``, digits ``7605550134``); both blank when no phone is given."""
    cleaned = text(value, field, max_length=30)
    if not cleaned:
        return "", ""
    digits = phone_digits(cleaned)
    if not is_us_phone(digits):
        raise refuse(field, f"Phone {cleaned!r} is not a 10-digit US phone number (area code and number).")
    return format_phone(digits), digits


def email(value: Any, field: str = "email") -> str:
    cleaned = text(value, field, max_length=254).replace(" ", "")
    if not cleaned:
        return ""
    try:
        validate_email(cleaned)
    except ValidationError as error:
        raise refuse(field, f"Email {cleaned!r} is not an email address.") from error
    return cleaned


def whole_number(value: Any, field: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(field, f"{label(field)} must be a whole number, not {value!r}.")
    if not minimum <= value <= maximum:
        raise refuse(field, f"{label(field)} {value} must be between {minimum} and {maximum}.")
    return value


def date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise refuse(field, f"{label(field)} must be a date, not {value!r}.")
    return value


def aware_datetime(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise refuse(field, f"{label(field)} must be a date and time with a time zone, not {value!r}.")
    return value
