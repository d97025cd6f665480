"""The collections policy file (YAML): read, validate every key, refuse what the law forbids. Pure.

``parse_policy(text)`` reads a policy document (the keys of ``CollectionsPolicy``; a key left out
takes its lawful default), checks each key's type and range, then :func:`statute_breaches`, and
returns the policy or raises :class:`PolicyFileError` listing every problem, each naming its key,
its line and (for a statutory limit) the statute. The sample, documented key by key, is
``collections/policies/demo-city.yaml``; docs/collections.md "The policy" describes the format.

Three kinds of problem, all reported together (a supervisor fixes the file once, not once per key):
- the file: not YAML, not a mapping, an unknown key (a typo must not silently fall back to a default);
- a key: the wrong type (``penalty_percent: ten``) or out of its range (``grace_days: -1``);
- the law: a value a statute forbids (``penalty_percent: 12``: Gov. Code §54348 allows 10 at most).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from civicbill.collections.policy import (
    DEFAULT_POLICY,
    MAX_MONTHLY_INTEREST_PERCENT,
    MAX_PENALTY_PERCENT,
    MIN_BROKEN_ARRANGEMENT_DAYS,
    MIN_BROKEN_ARRANGEMENT_NOTICE_BUSINESS_DAYS,
    MIN_CONTACT_HOURS_BEFORE_SHUTOFF,
    MIN_FINAL_NOTICE_LEAD_BUSINESS_DAYS,
    MIN_NOTICE_AFTER_BILL_MAILED_DAYS,
    MIN_NOTICE_TO_TERMINATION_DAYS,
    MIN_POSTED_NOTICE_HOURS_BEFORE_SHUTOFF,
    MIN_SHUTOFF_DELINQUENT_DAYS,
    MIN_TENANT_NOTICE_DAYS,
    NOTICE_DAYS_START_AFTER_MAILING,
    CollectionsPolicy,
    policy_from_document,
)
from civicbill.rates.yamlio import LocatedDocument, YamlFileError, load_located

SERVICES = ("water", "sewer", "refuse", "fire_line")
LANGUAGES = ("en", "es", "zh", "tl", "vi", "ko")
REQUIRED_LANGUAGES = ("en", "es")
GL_CODE = re.compile(r"^[0-9]{3}-[0-9]{4}$")
PHONE = re.compile(r"^[0-9()+\-. ]{7,30}$")
MAX_DAYS = 3660  # ten years: any day count above it is a typo
MAX_CENTS = 10_000_000  # $100,000

# The statutes behind each limit (shown on the policy page next to the key).
GOV_54348 = "Gov. Code §54348"
HSC_116906 = "Health & Safety Code §116906"
HSC_116908 = "Health & Safety Code §116908"
HSC_116910 = "Health & Safety Code §116910"
HSC_116914 = "Health & Safety Code §116914"
PUC_10010_1 = "Pub. Util. Code §10010.1"
GOV_60371 = "Gov. Code §60371"
GOV_60372 = "Gov. Code §60372"

STATUTE_OF_KEY: dict[str, str] = {
    "penalty_percent": GOV_54348,
    "monthly_interest_percent": GOV_54348,
    "final_notice_lead_business_days": HSC_116908,
    "shutoff_delinquent_days": HSC_116908,
    "notice_after_bill_mailed_days": PUC_10010_1,
    "notice_to_termination_days": PUC_10010_1,
    "notice_days_start_after_mailing": PUC_10010_1,
    "contact_hours_before_shutoff": PUC_10010_1,
    "posted_notice_hours_before_shutoff": PUC_10010_1,
    "tenant_notice_days": GOV_60371,
    "arrangement_max_months": GOV_60372,
    "arrangement_breach_days": HSC_116910,
    "broken_arrangement_notice_business_days": HSC_116910,
    "reconnect_cap_index": HSC_116914,
    "languages": HSC_116906,
}


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    key: str  # the policy key ("" for the file as a whole)
    message: str
    line: int = 0  # 1-based line in the file, 0 when unknown (a policy built in code)
    statute: str = ""  # the statute a breach offends

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        what = f"{self.key}: " if self.key else ""
        law = f" ({self.statute})" if self.statute else ""
        return f"{where}{what}{self.message}{law}"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "line": self.line, "message": self.message, "statute": self.statute}


class PolicyFileError(YamlFileError):
    """A policy was refused; ``problems`` lists every one (key, line, statute)."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__("; ".join(str(problem) for problem in problems), line=first.line, key=first.key)
        self.message = "; ".join(str(problem) for problem in problems)

    def __str__(self) -> str:
        return self.message


# -- limits of each key (type from the dataclass default, range here) --------------------------------
# key -> (minimum, maximum) for numbers; the statutory floors and ceilings are checked apart, by
# statute_breaches, so that a policy built in code is held to the same law as a file.
RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "grace_days": (Decimal(0), Decimal(60)),
    "penalty_percent": (Decimal(0), Decimal(100)),
    "monthly_interest_percent": (Decimal(0), Decimal(100)),
    "minimum_balance_cents": (Decimal(0), Decimal(MAX_CENTS)),
    "late_notice_after_days": (Decimal(0), Decimal(365)),
    "final_notice_delinquent_days": (Decimal(0), Decimal(365)),
    "final_notice_lead_business_days": (Decimal(0), Decimal(120)),
    "notice_after_bill_mailed_days": (Decimal(0), Decimal(365)),
    "notice_to_termination_days": (Decimal(0), Decimal(365)),
    "notice_days_start_after_mailing": (Decimal(0), Decimal(60)),
    "contact_hours_before_shutoff": (Decimal(0), Decimal(24 * 30)),
    "posted_notice_hours_before_shutoff": (Decimal(0), Decimal(24 * 30)),
    "tenant_notice_days": (Decimal(0), Decimal(365)),
    "shutoff_delinquent_days": (Decimal(0), Decimal(MAX_DAYS)),
    "arrangement_max_months": (Decimal(1), Decimal(120)),
    "arrangement_breach_days": (Decimal(1), Decimal(MAX_DAYS)),
    "broken_arrangement_notice_business_days": (Decimal(0), Decimal(120)),
    "reconnect_fee_business_cents": (Decimal(0), Decimal(MAX_CENTS)),
    "reconnect_fee_after_hours_cents": (Decimal(0), Decimal(MAX_CENTS)),
    "deposit_multiple": (Decimal(0), Decimal(12)),
    "deposit_multiple_after_disconnection": (Decimal(0), Decimal(12)),
    "writeoff_after_days": (Decimal(1), Decimal(MAX_DAYS)),
}
DECIMAL_PLACES = {"penalty_percent": 4, "monthly_interest_percent": 4, "deposit_multiple": 2,
                  "deposit_multiple_after_disconnection": 2}  # fmt: skip


def _default_kinds() -> dict[str, Any]:
    return {f.name: getattr(DEFAULT_POLICY, f.name) for f in fields(CollectionsPolicy)}


class _Checker:
    def __init__(self, located: LocatedDocument | None) -> None:
        self.located = located
        self.problems: list[PolicyProblem] = []

    def line(self, *path: str | int) -> int:
        return self.located.line(tuple(path)) if self.located is not None else 0

    def add(self, key: str, message: str, *path: str | int, statute: str = "") -> None:
        self.problems.append(PolicyProblem(key, message, self.line(key, *path), statute))

    def number(self, key: str, value: Any, *, whole: bool) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
            self.add(key, f"must be {'a whole number' if whole else 'a number'}, not {value!r}")
            return None
        try:
            number = Decimal(str(value).strip())
        except ArithmeticError:
            self.add(key, f"must be {'a whole number' if whole else 'a number'}, not {value!r}")
            return None
        if not number.is_finite():
            self.add(key, f"must be a finite number, not {value!r}")
            return None
        if whole and number != number.to_integral_value():
            self.add(key, f"must be a whole number, not {value}")
            return None
        places = DECIMAL_PLACES.get(key)
        if places is not None and -number.as_tuple().exponent > places:  # type: ignore[operator]
            self.add(key, f"has more than {places} decimal places ({value})")
            return None
        low, high = RANGES.get(key, (Decimal(0), Decimal(MAX_DAYS)))
        if not low <= number <= high:
            self.add(key, f"must be between {low} and {high}, not {value}")
            return None
        return number


def _check_key(check: _Checker, key: str, value: Any, default: Any) -> Any:
    """The value converted to the document's form (the stored JSON), or None after a problem."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            check.add(key, f"must be true or false, not {value!r}")
            return None
        return value
    if isinstance(default, int):
        number = check.number(key, value, whole=True)
        return None if number is None else int(number)
    if isinstance(default, Decimal):
        number = check.number(key, value, whole=False)
        return None if number is None else str(number)
    if key == "penalty_services":
        return _services(check, key, value)
    if key == "languages":
        return _languages(check, key, value)
    if key == "penalty_accounts":
        return _penalty_accounts(check, key, value)
    if key == "reconnect_cap_index":
        return _cap_index(check, key, value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            check.add(key, "must be a list of words")
            return None
        return [v.strip() for v in value]
    if isinstance(default, str):
        return _text(check, key, value)
    check.add(key, "has a value this version cannot read")  # pragma: no cover (a new kind of key)
    return None


def _services(check: _Checker, key: str, value: Any) -> list[str] | None:
    if not isinstance(value, list):
        check.add(key, f"must be a list of services ({', '.join(SERVICES)})")
        return None
    result: list[str] = []
    for index, service in enumerate(value):
        if service not in SERVICES:
            check.add(key, f"{service!r} is not a service; expected one of {', '.join(SERVICES)}", index)
            return None
        if service in result:
            check.add(key, f"{service!r} is listed twice", index)
            return None
        result.append(service)
    return result


def _languages(check: _Checker, key: str, value: Any) -> list[str] | None:
    if not isinstance(value, list) or not value:
        check.add(key, f"must be a list of language codes ({', '.join(LANGUAGES)})")
        return None
    result: list[str] = []
    for index, language in enumerate(value):
        if language not in LANGUAGES:
            check.add(key, f"{language!r} is not a language notices are written in; "
                      f"expected one of {', '.join(LANGUAGES)}", index)  # fmt: skip
            return None
        if language not in result:
            result.append(language)
    return result


def _penalty_accounts(check: _Checker, key: str, value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        check.add(key, "must map each service to its penalty revenue GL account, like water: 500-4500")
        return None
    result: dict[str, str] = {}
    for service, code in value.items():
        if service not in SERVICES:
            check.add(key, f"{service!r} is not a service; expected one of {', '.join(SERVICES)}", service)
            return None
        text = str(code).strip() if isinstance(code, str) else ""
        if not GL_CODE.match(text):
            check.add(key, f"{service}: {code!r} is not a GL account code like 500-4500", service)
            return None
        result[service] = text
    return result


def _cap_index(check: _Checker, key: str, value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict) or not value:
        check.add(key, "must map years to CPI factors, like 2021: 1 and 2026: 1.18")
        return None
    result: dict[str, str] = {}
    for year, factor in value.items():
        text = str(year).strip()
        if not text.isdigit() or not 2021 <= int(text) <= 2200:
            check.add(key, f"{year!r} is not a year from 2021", year)
            return None
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int | str):
            check.add(key, f"{text}: the factor must be a number, not {factor!r}", year)
            return None
        try:
            number = Decimal(str(factor).strip())
        except ArithmeticError:
            check.add(key, f"{text}: the factor must be a number, not {factor!r}", year)
            return None
        if not number.is_finite() or not Decimal("0.5") <= number <= Decimal(10):
            check.add(key, f"{text}: the factor must be between 0.5 and 10, not {factor}", year)
            return None
        result[text] = str(number)
    return result


def _text(check: _Checker, key: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        check.add(key, "must be text")
        return None
    text = value.strip()
    if len(text) > 200:
        check.add(key, f"is {len(text)} characters; at most 200")
        return None
    if key == "policy_url" and not re.match(r"^https?://[^\s]+$", text):
        check.add(key, f"must be a web address starting with https://, not {text!r}")
        return None
    if key == "policy_phone" and not PHONE.match(text):
        check.add(key, f"must be a phone number like (760) 555-0100, not {text!r}")
        return None
    return text


def validate_document(
    data: Any, located: LocatedDocument | None = None
) -> tuple[dict[str, Any], list[PolicyProblem]]:
    """Check each key of a policy document: (the document as stored, the problems). Keys left out
    take the default; an unknown key is a problem (a misspelt key must not silently mean the default)."""
    check = _Checker(located)
    if not isinstance(data, dict):
        check.problems.append(
            PolicyProblem("", "the policy must be a mapping of keys to values", check.line())
        )
        return {}, check.problems
    defaults = _default_kinds()
    document: dict[str, Any] = {}
    for key, value in data.items():
        if key not in defaults:
            close = [known for known in defaults if known.split("_")[0] == str(key).split("_")[0]]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            check.add(str(key), f"is not a policy key{hint}")
            continue
        if value is None:
            check.add(key, "has no value (leave the key out to take the default)")
            continue
        converted = _check_key(check, key, value, defaults[key])
        if converted is not None:
            document[key] = converted
    return document, check.problems


# -- the law --------------------------------------------------------------------------------------
def statute_breaches(
    policy: CollectionsPolicy,
    *,
    penalty_revenue_funds: Mapping[str, str] | None = None,
    service_funds: Mapping[str, str] | None = None,
    lines: Mapping[str, int] | None = None,
) -> list[PolicyProblem]:
    """What ``policy`` says that the law forbids (or the books cannot do), each naming key and statute.

    ``penalty_revenue_funds`` (GL code -> fund of every account a penalty may be credited to) and
    ``service_funds`` (service -> fund) come from the chart of accounts; given, every penalty service
    must name a penalty account that exists, in its own fund (each fund balances on its own)."""
    lines = lines or {}
    problems: list[PolicyProblem] = []

    def breach(key: str, message: str, statute: str = "") -> None:
        problems.append(
            PolicyProblem(key, message, lines.get(key, 0), statute or STATUTE_OF_KEY.get(key, ""))
        )

    def at_least(key: str, minimum: int, unit: str, why: str) -> None:
        value = getattr(policy, key)
        if value < minimum:
            breach(key, f"is {value} {unit}; the law requires at least {minimum} ({why})")

    if policy.penalty_percent > MAX_PENALTY_PERCENT:
        breach("penalty_percent", f"is {policy.penalty_percent}%; a late penalty may be at most "
               f"{MAX_PENALTY_PERCENT}% of the delinquent charges")  # fmt: skip
    if policy.monthly_interest_percent > MAX_MONTHLY_INTEREST_PERCENT:
        breach("monthly_interest_percent", f"is {policy.monthly_interest_percent}% a month; interest may be "
               f"at most {MAX_MONTHLY_INTEREST_PERCENT}% a month on the unpaid amount")  # fmt: skip
    at_least("shutoff_delinquent_days", MIN_SHUTOFF_DELINQUENT_DAYS, "days",
             "no residential shutoff until the bill is 60 days delinquent")  # fmt: skip
    at_least("final_notice_lead_business_days", MIN_FINAL_NOTICE_LEAD_BUSINESS_DAYS, "business days",
             "notice at least 7 business days before a shutoff")  # fmt: skip
    at_least("notice_after_bill_mailed_days", MIN_NOTICE_AFTER_BILL_MAILED_DAYS, "days",
             "a termination notice is not mailed earlier than 19 days after the bill")  # fmt: skip
    at_least("notice_to_termination_days", MIN_NOTICE_TO_TERMINATION_DAYS, "days",
             "at least 10 days' notice before termination")  # fmt: skip
    at_least("notice_days_start_after_mailing", NOTICE_DAYS_START_AFTER_MAILING, "days",
             "the 10 days of notice start 5 days after the notice is mailed")  # fmt: skip
    at_least("contact_hours_before_shutoff", MIN_CONTACT_HOURS_BEFORE_SHUTOFF, "hours",
             "telephone or personal contact at least 24 hours before")  # fmt: skip
    at_least("posted_notice_hours_before_shutoff", MIN_POSTED_NOTICE_HOURS_BEFORE_SHUTOFF, "hours",
             "else a notice posted at least 48 hours before")  # fmt: skip
    at_least("tenant_notice_days", MIN_TENANT_NOTICE_DAYS, "days",
             "tenants of a landlord-billed building get 10 days' notice")  # fmt: skip
    at_least("arrangement_max_months", 12, "months",
             "an amortization of the unpaid balance over up to 12 months must be offered")  # fmt: skip
    at_least("arrangement_breach_days", MIN_BROKEN_ARRANGEMENT_DAYS, "days",
             "an arrangement is broken only when an installment is 60 days or more past due")  # fmt: skip
    at_least("broken_arrangement_notice_business_days", MIN_BROKEN_ARRANGEMENT_NOTICE_BUSINESS_DAYS,
             "business days", "after a broken arrangement, shutoff no sooner than 5 business days after a "
             "final notice posted at the property")  # fmt: skip
    missing = [language for language in REQUIRED_LANGUAGES if language not in policy.languages]
    if missing:
        breach("languages", f"must include {' and '.join(missing)}: notices go out in English and Spanish")
    if policy.reconnect_cap_index and min(policy.reconnect_cap_index) > 2021:
        breach("reconnect_cap_index", "must start at 2021 (the year the $50 / $150 caps are stated in)")
    for service in policy.penalty_services:
        code = policy.penalty_accounts.get(service)
        if code is None:
            breach("penalty_accounts", f"names no penalty revenue account for {service}, a penalty service",
                   "ledger: chart of accounts")  # fmt: skip
            continue
        if penalty_revenue_funds is None:
            continue
        if code not in penalty_revenue_funds:
            breach("penalty_accounts", f"{service}: {code} is not a revenue account in the chart of accounts",
                   "ledger: chart of accounts")  # fmt: skip
        elif service_funds is not None and penalty_revenue_funds[code] != service_funds.get(service):
            fund = penalty_revenue_funds[code]
            breach("penalty_accounts", f"{service}: {code} belongs to the {fund} fund, "
                   f"not the {service_funds.get(service)} fund that holds {service} receivables",
                   "ledger: each fund balances on its own")  # fmt: skip
    return problems


def parse_policy(
    text: str,
    *,
    penalty_revenue_funds: Mapping[str, str] | None = None,
    service_funds: Mapping[str, str] | None = None,
) -> tuple[CollectionsPolicy, dict[str, Any]]:
    """Read and check a policy file: (the policy, its stored document). Raises PolicyFileError listing
    every problem (key, line, statute)."""
    try:
        located = load_located(text)
    except YamlFileError as error:
        raise PolicyFileError([PolicyProblem(error.key, error.message, error.line)]) from None
    document, problems = validate_document(located.data, located)
    if problems:
        raise PolicyFileError(problems)
    policy = policy_from_document(document)
    key_lines = {key: located.line((key,)) for key in document}
    breaches = statute_breaches(
        policy, penalty_revenue_funds=penalty_revenue_funds, service_funds=service_funds, lines=key_lines
    )
    if breaches:
        raise PolicyFileError(breaches)
    return policy, policy.to_document()


def policy_to_yaml(policy: CollectionsPolicy) -> str:
    """The policy as a file a supervisor edits (every key, in the dataclass's order); text is quoted,
    numbers are written as their exact text."""
    lines: list[str] = []
    for key, value in policy.to_document().items():
        kind = getattr(DEFAULT_POLICY, key)
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(value)}]")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            quote = key != "reconnect_cap_index"
            lines.extend(f"  {k}: {json.dumps(v) if quote else v}" for k, v in value.items())
        elif isinstance(kind, bool):
            lines.append(f"{key}: {'true' if value else 'false'}")
        elif isinstance(kind, str):
            lines.append(f"{key}: {json.dumps(value)}")
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"
