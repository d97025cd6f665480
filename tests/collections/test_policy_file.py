"""The collections policy file: every key checked, errors naming key and line, and the law refused
naming the statute."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from civicbill.collections.policy import DEFAULT_POLICY, CollectionsPolicy
from civicbill.collections.policy_file import (
    PolicyFileError,
    parse_policy,
    policy_to_yaml,
    statute_breaches,
)
from civicbill.collections.policy_services import penalty_revenue_funds, service_funds

SAMPLE = Path(__file__).resolve().parents[2] / "civicbill" / "collections" / "policies" / "demo-city.yaml"


def _problems(text: str) -> list[tuple[str, int, str]]:
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text, penalty_revenue_funds=penalty_revenue_funds(), service_funds=service_funds())
    return [(p.key, p.line, p.statute) for p in caught.value.problems]


def test_the_demo_city_sample_is_lawful_and_reads_every_key() -> None:
    policy, document = parse_policy(
        SAMPLE.read_text(encoding="utf-8"),
        penalty_revenue_funds=penalty_revenue_funds(),
        service_funds=service_funds(),
    )
    assert policy.penalty_percent == Decimal("10")
    assert policy.reconnect_cap_index == {2021: Decimal("1"), 2024: Decimal("1.12"), 2026: Decimal("1.17")}
    assert policy.low_income_reconnect_caps(2026) == (5850, 17550)
    assert policy.penalty_accounts == {"water": "500-4500", "sewer": "510-4500", "refuse": "520-4500"}
    assert set(document) == set(DEFAULT_POLICY.to_document())


def test_the_default_policy_written_as_a_file_reads_back_the_same() -> None:
    policy, _document = parse_policy(policy_to_yaml(DEFAULT_POLICY))
    assert policy == DEFAULT_POLICY


def test_a_key_left_out_takes_its_lawful_default() -> None:
    policy, _ = parse_policy("grace_days: 10\n")
    assert policy == CollectionsPolicy(grace_days=10)


def test_a_twelve_percent_penalty_is_refused_naming_the_key_and_the_statute() -> None:
    with pytest.raises(PolicyFileError) as caught:
        parse_policy("grace_days: 5\npenalty_percent: 12\n")
    assert str(caught.value) == (
        "line 2: penalty_percent: is 12%; a late penalty may be at most 10% of the delinquent charges "
        "(Gov. Code §54348)"
    )
    assert [(p.key, p.line, p.statute) for p in caught.value.problems] == [
        ("penalty_percent", 2, "Gov. Code §54348")
    ]


def test_a_misspelt_key_names_its_line() -> None:
    text = "grace_days: 5\npenalty_percent: 10\ngrace_dayz: 7\n"
    assert _problems(text) == [("grace_dayz", 3, "")]
    with pytest.raises(
        PolicyFileError, match=r"line 3: grace_dayz: is not a policy key; did you mean grace_days"
    ):
        parse_policy(text)


def test_every_wrong_key_is_listed_at_once_with_its_line() -> None:
    text = (
        "grace_days: -1\n"
        "monthly_interest_percent: lots\n"
        "avoid_day_before_closure: maybe\n"
        "penalty_services: [water, gas]\n"
        "languages: [en, fr]\n"
        "policy_url: example.com\n"
        "minimum_balance_cents: 10.5\n"
    )
    assert _problems(text) == [
        ("grace_days", 1, ""),
        ("monthly_interest_percent", 2, ""),
        ("avoid_day_before_closure", 3, ""),
        ("penalty_services", 4, ""),
        ("languages", 5, ""),
        ("policy_url", 6, ""),
        ("minimum_balance_cents", 7, ""),
    ]


def test_a_file_that_is_not_yaml_names_the_line() -> None:
    with pytest.raises(PolicyFileError, match=r"^line 2: not valid YAML"):
        parse_policy("grace_days: 5\npenalty_percent: 10: 3\n")


@pytest.mark.parametrize(
    ("line", "key", "statute"),
    [
        ("monthly_interest_percent: 0.75", "monthly_interest_percent", "Gov. Code §54348"),
        ("final_notice_lead_business_days: 6", "final_notice_lead_business_days",
         "Health & Safety Code §116908"),
        ("shutoff_delinquent_days: 59", "shutoff_delinquent_days", "Health & Safety Code §116908"),
        ("notice_after_bill_mailed_days: 18", "notice_after_bill_mailed_days", "Pub. Util. Code §10010.1"),
        ("notice_to_termination_days: 9", "notice_to_termination_days", "Pub. Util. Code §10010.1"),
        ("notice_days_start_after_mailing: 4", "notice_days_start_after_mailing", "Pub. Util. Code §10010.1"),
        ("contact_hours_before_shutoff: 23", "contact_hours_before_shutoff", "Pub. Util. Code §10010.1"),
        ("posted_notice_hours_before_shutoff: 47", "posted_notice_hours_before_shutoff",
         "Pub. Util. Code §10010.1"),
        ("tenant_notice_days: 9", "tenant_notice_days", "Gov. Code §60371"),
        ("arrangement_max_months: 11", "arrangement_max_months", "Gov. Code §60372"),
        ("arrangement_breach_days: 30", "arrangement_breach_days", "Health & Safety Code §116910"),
        ("broken_arrangement_notice_business_days: 4", "broken_arrangement_notice_business_days",
         "Health & Safety Code §116910"),
        ("languages: [en]", "languages", "Health & Safety Code §116906"),
    ],
)  # fmt: skip
def test_what_the_law_forbids_is_refused_naming_key_and_statute(line: str, key: str, statute: str) -> None:
    assert _problems(f"grace_days: 5\n{line}\n") == [(key, 2, statute)]


def test_the_statutory_limits_themselves_are_lawful() -> None:
    text = (
        "penalty_percent: 10\nmonthly_interest_percent: 0.5\nshutoff_delinquent_days: 60\n"
        "final_notice_lead_business_days: 7\ncontact_hours_before_shutoff: 24\n"
        "posted_notice_hours_before_shutoff: 48\ntenant_notice_days: 10\narrangement_max_months: 12\n"
    )
    policy, _ = parse_policy(
        text, penalty_revenue_funds=penalty_revenue_funds(), service_funds=service_funds()
    )
    assert statute_breaches(policy) == []


def test_each_penalty_service_needs_a_penalty_account_of_its_own_fund() -> None:
    text = (
        "penalty_services: [water, sewer, fire_line]\n"
        "penalty_accounts:\n  water: 500-4500\n  sewer: 500-4500\n"
    )
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text, penalty_revenue_funds=penalty_revenue_funds(), service_funds=service_funds())
    assert [str(p) for p in caught.value.problems] == [
        "line 2: penalty_accounts: sewer: 500-4500 belongs to the water fund, not the sewer fund that holds "
        "sewer receivables (ledger: each fund balances on its own)",
        "line 2: penalty_accounts: names no penalty revenue account for fire_line, a penalty service "
        "(ledger: chart of accounts)",
    ]
    assert _problems("penalty_accounts:\n  water: 500-9999\n  sewer: 510-4500\n  refuse: 520-4500\n") == [
        ("penalty_accounts", 1, "ledger: chart of accounts")
    ]


def test_a_policy_built_in_code_is_held_to_the_same_law() -> None:
    policy = CollectionsPolicy(penalty_percent=Decimal("10.01"), shutoff_delinquent_days=30)
    assert [(p.key, p.statute) for p in statute_breaches(policy)] == [
        ("penalty_percent", "Gov. Code §54348"),
        ("shutoff_delinquent_days", "Health & Safety Code §116908"),
    ]


def test_a_nested_value_names_its_own_line() -> None:
    text = "reconnect_cap_index:\n  2021: 1\n  2026: -3\n"
    assert _problems(text) == [("reconnect_cap_index", 3, "")]
