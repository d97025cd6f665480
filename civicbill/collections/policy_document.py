"""The written policy on residential water shutoffs for nonpayment (Health & Safety Code §116906),
generated from the collections policy in force, as a PDF in each language the statute requires
(English, Spanish, Chinese (Simplified), Tagalog, Vietnamese, Korean — ``SHUTOFF_POLICY_LANGUAGES``).

One template per language, ``collections/shutoff_policy.<language>.html``, each a translation of the
English one (docs/collections.md "The written shutoff policy" says how they were checked). Chinese and
Korean are set in Noto Sans CJK (Debian ``fonts-noto-cjk``); the others in DejaVu Sans, which covers
Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string

from civicbill.collections.policy import SHUTOFF_POLICY_LANGUAGES, CollectionsPolicy
from civicbill.collections.selectors import policy_on
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import format_cents
from civicbill.core.printable import html_to_pdf, utility_contact

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "zh": "中文（简体）",
    "tl": "Tagalog",
    "vi": "Tiếng Việt",
    "ko": "한국어",
}


def _percent(value: Any) -> str:
    return format(value.normalize(), "f")


def shutoff_policy_facts(policy: CollectionsPolicy, on: dt.date) -> dict[str, Any]:
    """The numbers the written policy states, as text the same in every language."""
    cap_business, cap_after = policy.low_income_reconnect_caps(on.year)
    return {
        "version_on": on.isoformat(),
        "grace_days": policy.grace_days,
        "penalty_percent": _percent(policy.penalty_percent),
        "interest_percent": _percent(policy.monthly_interest_percent),
        "shutoff_days": policy.shutoff_delinquent_days,
        "notice_business_days": policy.final_notice_lead_business_days,
        "contact_hours": policy.contact_hours_before_shutoff,
        "posted_hours": policy.posted_notice_hours_before_shutoff,
        "arrangement_months": policy.arrangement_max_months,
        "fee_business": format_cents(policy.reconnect_fee_business_cents),
        "fee_after_hours": format_cents(policy.reconnect_fee_after_hours_cents),
        "cap_business": format_cents(min(cap_business, policy.reconnect_fee_business_cents)),
        "cap_after_hours": format_cents(min(cap_after, policy.reconnect_fee_after_hours_cents)),
        "tenant_days": policy.tenant_notice_days,
        "phone": policy.policy_phone,
        "url": policy.policy_url,
        **utility_contact(),
    }


def _language(language: str) -> str:
    language = (language or "").strip().lower()
    if language not in SHUTOFF_POLICY_LANGUAGES:
        raise ApplicationError(
            f"The shutoff policy is written in {', '.join(SHUTOFF_POLICY_LANGUAGES)}; not {language!r}",
            code="unknown_language",
            field="language",
        )
    return language


def shutoff_policy_html(language: str, *, on: dt.date) -> str:
    language = _language(language)
    return render_to_string(
        f"collections/shutoff_policy.{language}.html", {"p": shutoff_policy_facts(policy_on(on), on)}
    )


def shutoff_policy_pdf(language: str, *, on: dt.date) -> bytes:
    """The written shutoff policy in force on ``on``, in ``language``, as PDF bytes."""
    return html_to_pdf(shutoff_policy_html(language, on=on))
