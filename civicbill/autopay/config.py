"""The city's ACH origination settings: read from Django settings, checked, and handed to the drafts.

Every value comes from ``civicbill/settings.py`` (environment variables of the same name, with demo
defaults). :func:`settings_problems` is pure: it takes the raw values and returns each problem as
``(setting name, message)``; the start-up system check (:mod:`civicbill.autopay.checks`) reports
them, and :func:`ach_settings` refuses to draft with a bad configuration, naming the setting.

Settings (docs/autopay.md describes each): ``CIVICBILL_ACH_COMPANY_NAME`` (1-16 characters, on the
customer's bank statement), ``CIVICBILL_ACH_COMPANY_ID`` (exactly 10 characters, often ``1`` + EIN),
``CIVICBILL_ACH_ODFI_ROUTING`` (the city's bank; 9 digits, valid check digit),
``CIVICBILL_ACH_IMMEDIATE_DESTINATION`` (where the file goes; 9 digits, valid check digit) and its
``_NAME`` (up to 23), ``CIVICBILL_ACH_IMMEDIATE_ORIGIN`` (9 or 10 digits) and its ``_NAME`` (up to 23),
``CIVICBILL_ACH_ENTRY_DESCRIPTION`` (1-10 characters, not one of the descriptions NACHA reserves for
other entries, :data:`RESERVED_ENTRY_DESCRIPTIONS`), ``CIVICBILL_ACH_PRENOTE_WAIT_BUSINESS_DAYS``
(3-30 banking days, default 6), ``CIVICBILL_ACH_RETURN_WINDOW_BUSINESS_DAYS`` (1-10 banking days,
default 2), ``CIVICBILL_ACH_RETURN_FEE`` (dollars, ``25.00``; ``0`` for none),
``CIVICBILL_ACH_RETURN_FEE_CODES`` (the return codes that charge it, default ``R01,R09``; never an
unauthorized-entry code) and ``CIVICBILL_ACH_MAX_DAYS_AHEAD`` (how many calendar days after today a
draft may be dated, 1-90, default 30). Days counted in "banking days" follow the Federal Reserve's
calendar (:mod:`civicbill.autopay.banking`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from civicbill import nacha
from civicbill.autopay.rules import UNAUTHORIZED_RETURN_CODES
from civicbill.core.money import Money, MoneyError, format_cents

COMPANY_NAME = "CIVICBILL_ACH_COMPANY_NAME"
COMPANY_ID = "CIVICBILL_ACH_COMPANY_ID"
ODFI_ROUTING = "CIVICBILL_ACH_ODFI_ROUTING"
IMMEDIATE_DESTINATION = "CIVICBILL_ACH_IMMEDIATE_DESTINATION"
IMMEDIATE_DESTINATION_NAME = "CIVICBILL_ACH_IMMEDIATE_DESTINATION_NAME"
IMMEDIATE_ORIGIN = "CIVICBILL_ACH_IMMEDIATE_ORIGIN"
IMMEDIATE_ORIGIN_NAME = "CIVICBILL_ACH_IMMEDIATE_ORIGIN_NAME"
ENTRY_DESCRIPTION = "CIVICBILL_ACH_ENTRY_DESCRIPTION"
PRENOTE_WAIT = "CIVICBILL_ACH_PRENOTE_WAIT_BUSINESS_DAYS"
RETURN_WINDOW = "CIVICBILL_ACH_RETURN_WINDOW_BUSINESS_DAYS"
RETURN_FEE = "CIVICBILL_ACH_RETURN_FEE"
RETURN_FEE_CODES = "CIVICBILL_ACH_RETURN_FEE_CODES"
MAX_DAYS_AHEAD = "CIVICBILL_ACH_MAX_DAYS_AHEAD"

SETTING_NAMES = (
    COMPANY_NAME, COMPANY_ID, ODFI_ROUTING, IMMEDIATE_DESTINATION, IMMEDIATE_DESTINATION_NAME,
    IMMEDIATE_ORIGIN, IMMEDIATE_ORIGIN_NAME, ENTRY_DESCRIPTION, PRENOTE_WAIT, RETURN_WINDOW, RETURN_FEE,
    RETURN_FEE_CODES, MAX_DAYS_AHEAD,
)  # fmt: skip
#: What a setting is when the environment does not set it (settings.py may leave the new ones out).
DEFAULTS = {RETURN_FEE_CODES: "R01,R09", MAX_DAYS_AHEAD: "30"}

#: Company entry descriptions NACHA reserves for particular entries (reversals, return fees,
#: re-presented checks, payroll, purchases, account verification ...): a utility's debits may not
#: carry them, or the receiving bank treats the entry as something it is not.
RESERVED_ENTRY_DESCRIPTIONS = frozenset({
    "ACCTVERIFY", "AUTOENROLL", "HCCLAIMPMT", "NO CHECK", "NONSETTLED", "PAYROLL", "PURCHASE",
    "RECLAIM", "REDEPCHECK", "RETRY PYMT", "RETURN FEE", "REVERSAL",
})  # fmt: skip
MAX_DAYS_AHEAD_LIMIT = 90

MIN_PRENOTE_WAIT = 3  # NACHA: live entries no sooner than 3 banking days after the prenote settles
MAX_PRENOTE_WAIT = 30
MAX_RETURN_WINDOW = 10
MAX_RETURN_FEE = Money.parse("100.00")


@dataclass(frozen=True)
class AchSettings:
    originator: nacha.Originator
    prenote_wait_business_days: int
    return_window_business_days: int
    return_fee: Money
    return_fee_codes: frozenset[str] = frozenset({"R01", "R09"})
    max_days_ahead: int = 30


def _printable(text: str) -> bool:
    return all(" " <= char <= "~" for char in text)


def _text(
    values: Mapping[str, Any], name: str, *, minimum: int, maximum: int, problems: list[tuple[str, str]]
) -> str:
    raw = values.get(name)
    text = "" if raw is None else str(raw)
    if text != text.strip():
        problems.append((name, f"{text!r} has spaces at its start or end"))
    elif not _printable(text):
        problems.append((name, f"{text!r} must be plain ASCII letters, digits and punctuation"))
    elif not minimum <= len(text) <= maximum:
        size = f"exactly {minimum}" if minimum == maximum else f"{minimum} to {maximum}"
        problems.append((name, f"{text!r} has {len(text)} characters; it must have {size}"))
    return text


def _routing(values: Mapping[str, Any], name: str, problems: list[tuple[str, str]]) -> str:
    text = str(values.get(name) or "")
    if len(text) != 9 or not (text.isascii() and text.isdigit()):
        problems.append((name, f"{text!r} must be a 9-digit routing number"))
    elif not nacha.is_valid_routing_number(text):
        expected = nacha.routing_check_digit(text[:8])
        problems.append(
            (name, f"routing number {text} fails its check digit: the ninth digit should be {expected}")
        )
    return text


def _whole(
    values: Mapping[str, Any],
    name: str,
    *,
    minimum: int,
    maximum: int,
    problems: list[tuple[str, str]],
    unit: str = "banking days",
) -> int:
    text = str(values.get(name) or DEFAULTS.get(name, "")).strip()
    if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
        problems.append((name, f"{text!r} must be a whole number of {unit} from {minimum} to {maximum}"))
        return minimum
    return int(text)


def _description(values: Mapping[str, Any], problems: list[tuple[str, str]]) -> str:
    description = _text(values, ENTRY_DESCRIPTION, minimum=1, maximum=10, problems=problems)
    if " ".join(description.upper().split()) in RESERVED_ENTRY_DESCRIPTIONS:
        problems.append(
            (
                ENTRY_DESCRIPTION,
                f"{description!r} is a company entry description NACHA reserves for other entries "
                f"({', '.join(sorted(RESERVED_ENTRY_DESCRIPTIONS))}); use one such as UTILITY or WATER BILL",
            )
        )
    return description


def _fee_codes(values: Mapping[str, Any], problems: list[tuple[str, str]]) -> frozenset[str]:
    """The return codes that charge the returned-payment fee: known R codes, never an
    unauthorized-entry return (the customer did not authorize the debit: no fee)."""
    text = str(values.get(RETURN_FEE_CODES) or DEFAULTS[RETURN_FEE_CODES]).strip()
    if text.lower() == "none":
        return frozenset()
    codes = [code.strip().upper() for code in text.split(",") if code.strip()]
    unknown = [code for code in codes if code not in nacha.RETURN_REASON_CODES]
    if unknown or not codes:
        problems.append(
            (
                RETURN_FEE_CODES,
                f"{text!r} must list return codes separated by commas, such as R01,R09 (or 'none'); "
                f"not return codes: {', '.join(unknown) or 'none listed'}",
            )
        )
        return frozenset()
    unauthorized = sorted(set(codes) & UNAUTHORIZED_RETURN_CODES)
    if unauthorized:
        problems.append(
            (
                RETURN_FEE_CODES,
                f"{', '.join(unauthorized)}: unauthorized-entry return codes (the customer did not "
                "authorize the debit) never carry a returned-payment fee",
            )
        )
    return frozenset(codes)


def settings_problems(values: Mapping[str, Any]) -> tuple[AchSettings | None, list[tuple[str, str]]]:
    """The settings read from ``values`` (setting name → raw value) and every problem found, as
    ``(setting name, message)``. Pure. The settings are None when there is any problem."""
    problems: list[tuple[str, str]] = []
    company_name = _text(values, COMPANY_NAME, minimum=1, maximum=16, problems=problems)
    company_id = _text(values, COMPANY_ID, minimum=10, maximum=10, problems=problems)
    odfi = _routing(values, ODFI_ROUTING, problems)
    destination = _routing(values, IMMEDIATE_DESTINATION, problems)
    destination_name = _text(values, IMMEDIATE_DESTINATION_NAME, minimum=0, maximum=23, problems=problems)
    origin = str(values.get(IMMEDIATE_ORIGIN) or "")
    if len(origin) not in (9, 10) or not (origin.isascii() and origin.isdigit()):
        problems.append(
            (IMMEDIATE_ORIGIN, f"{origin!r} must be 9 or 10 digits (a routing number or the company ID)")
        )
    origin_name = _text(values, IMMEDIATE_ORIGIN_NAME, minimum=0, maximum=23, problems=problems)
    description = _description(values, problems)
    wait = _whole(values, PRENOTE_WAIT, minimum=MIN_PRENOTE_WAIT, maximum=MAX_PRENOTE_WAIT, problems=problems)
    window = _whole(values, RETURN_WINDOW, minimum=1, maximum=MAX_RETURN_WINDOW, problems=problems)
    ahead = _whole(
        values,
        MAX_DAYS_AHEAD,
        minimum=1,
        maximum=MAX_DAYS_AHEAD_LIMIT,
        problems=problems,
        unit="calendar days",
    )
    fee_codes = _fee_codes(values, problems)
    fee = Money.zero()
    fee_text = str(values.get(RETURN_FEE) or "").strip()
    try:
        fee = Money.parse(fee_text)
    except MoneyError:
        problems.append((RETURN_FEE, f"{fee_text!r} is not an amount of dollars such as 25.00"))
    else:
        if fee.is_negative() or fee > MAX_RETURN_FEE:
            problems.append(
                (
                    RETURN_FEE,
                    f"{format_cents(fee.cents)} must be from $0.00 to {format_cents(MAX_RETURN_FEE.cents)}",
                )
            )
    if problems:
        return None, problems
    originator = nacha.Originator(
        company_name=company_name,
        company_identification=company_id,
        odfi_routing_number=odfi,
        immediate_destination=destination,
        immediate_origin=origin,
        immediate_destination_name=destination_name,
        immediate_origin_name=origin_name,
        company_entry_description=description,
    )
    return AchSettings(originator, wait, window, fee, fee_codes, ahead), []


def configured_values() -> dict[str, Any]:
    return {name: getattr(settings, name, None) for name in SETTING_NAMES}


def ach_settings() -> AchSettings:
    """The checked settings; ``ImproperlyConfigured`` naming every bad setting otherwise."""
    found, problems = settings_problems(configured_values())
    if found is None:
        raise ImproperlyConfigured("; ".join(f"{name}: {message}" for name, message in problems))
    return found
