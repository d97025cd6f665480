"""The collections policy as data (pure: no Django).

``CollectionsPolicy`` is the shape every part of the collections context reads: the run, the notices,
eligibility, arrangements, reconnection and write-offs. ``DEFAULT_POLICY`` is a lawful starting point
(the policy in force when no version has been loaded). ``collections.policy_file`` reads and validates
a policy document (YAML) with errors naming the key; ``statute_breaches`` lists what a policy may not say.

Statutes behind the limits (../shared/DOMAIN.md):
- Gov. Code §54348: late penalty at most 10% of the delinquent charges, interest at most 0.5% a month;
- Health & Safety Code §116906/116908: no residential shutoff until 60 days delinquent; notice at least
  7 business days before; after a broken arrangement, 5 business days after a final notice posted;
- §116914: low-income reconnection fee caps $50 business hours / $150 after hours (CPI-indexed from 2021),
  low-income interest waived once every 12 months;
- Pub. Util. Code §10010.1: notice mailed at least 10 days before termination, not earlier than 19 days
  after the bill was mailed; the 10 days start 5 days after the notice is mailed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

# statutory limits (a policy that goes past one is refused, naming the key)
MAX_PENALTY_PERCENT = Decimal("10")
MAX_MONTHLY_INTEREST_PERCENT = Decimal("0.5")
MIN_SHUTOFF_DELINQUENT_DAYS = 60
MIN_FINAL_NOTICE_LEAD_BUSINESS_DAYS = 7
MIN_NOTICE_AFTER_BILL_MAILED_DAYS = 19
MIN_NOTICE_TO_TERMINATION_DAYS = 10
NOTICE_DAYS_START_AFTER_MAILING = 5
MIN_CONTACT_HOURS_BEFORE_SHUTOFF = 24
MIN_POSTED_NOTICE_HOURS_BEFORE_SHUTOFF = 48
MIN_BROKEN_ARRANGEMENT_NOTICE_BUSINESS_DAYS = 5
MIN_BROKEN_ARRANGEMENT_DAYS = 60
MIN_TENANT_NOTICE_DAYS = 10
MAX_ARRANGEMENT_MONTHS_FLOOR = 12  # an arrangement of up to 12 months must be offered
LOW_INCOME_RECONNECT_CAP_BUSINESS_CENTS = 5000  # 2021 dollars, CPI-indexed by reconnect_cap_index
LOW_INCOME_RECONNECT_CAP_AFTER_HOURS_CENTS = 15000
LOW_INCOME_INTEREST_WAIVER_MONTHS = 12
SHUTOFF_POLICY_LANGUAGES = ("en", "es", "zh", "tl", "vi", "ko")
WRITEOFF_METHODS = ("allowance", "direct")


@dataclass(frozen=True)
class CollectionsPolicy:
    # delinquency and penalties
    grace_days: int = 5  # a charge is delinquent this many days after the bill's due date
    penalty_percent: Decimal = Decimal("10")  # once per delinquent bill, of its unpaid penalisable charges
    monthly_interest_percent: Decimal = Decimal("0.5")  # each further month on the unpaid delinquent amount
    minimum_balance_cents: int = 1000  # below this past-due amount nothing is done
    penalty_services: tuple[str, ...] = ("water", "sewer", "refuse")  # fire line charges carry none
    # service -> penalty revenue GL account (ledger.chart codes)
    penalty_accounts: dict[str, str] = field(
        default_factory=lambda: {"water": "500-4500", "sewer": "510-4500", "refuse": "520-4500"}
    )
    # notices
    late_notice_after_days: int = 1  # courtesy reminder this many days after the charge becomes delinquent
    final_notice_delinquent_days: int = 45  # final notice once the oldest bill is this many days delinquent
    final_notice_lead_business_days: int = 7  # the final notice precedes the earliest shutoff date by this
    notice_after_bill_mailed_days: int = 19  # the final notice is not mailed earlier than this after the bill
    notice_to_termination_days: int = 10  # days of notice before termination, counted ...
    notice_days_start_after_mailing: int = 5  # ... from this many days after the notice is mailed
    contact_hours_before_shutoff: int = 24  # phone / personal contact at least this long before
    posted_notice_hours_before_shutoff: int = 48  # else a notice posted at the premise this long before
    tenant_notice_days: int = 10  # tenants of landlord-billed buildings
    # shutoff
    shutoff_delinquent_days: int = 60  # no residential shutoff before the bill is this many days delinquent
    avoid_day_before_closure: bool = True  # no shutoff on the day before a weekend, holiday or closure
    shutoff_for_non_water_charges: bool = False  # may water be shut off for sewer/refuse charges alone?
    # arrangements
    arrangement_max_months: int = 12
    arrangement_breach_days: int = 60  # an installment this many days past due breaks the arrangement
    broken_arrangement_notice_business_days: int = 5
    # reconnection and deposits
    reconnect_fee_business_cents: int = 7500
    reconnect_fee_after_hours_cents: int = 20000
    # year -> CPI factor applied to the $50 / $150 low-income caps (2021 = 1)
    reconnect_cap_index: dict[int, Decimal] = field(default_factory=lambda: {2021: Decimal("1")})
    deposit_multiple: Decimal = Decimal("2")  # times the average monthly bill
    deposit_multiple_after_disconnection: Decimal = Decimal("3")
    # write-off and languages
    writeoff_after_days: int = 180  # a closed account's unpaid final bill, days after its due date
    # write-offs debit the allowance for uncollectible accounts (5x0-1290, "allowance") or the
    # uncollectible accounts expense (5x0-6900, "direct"); see docs/collections.md "Write-offs"
    writeoff_method: str = "allowance"
    languages: tuple[str, ...] = ("en", "es")  # notices are sent in these languages
    policy_url: str = "https://www.example-city.gov/water/shutoff-policy"
    policy_phone: str = "(760) 555-0100"

    def to_document(self) -> dict[str, Any]:
        """The JSON-safe document stored on a policy version (decimals as text, years as text)."""
        document = asdict(self)
        for key, value in list(document.items()):
            if isinstance(value, Decimal):
                document[key] = str(value)
            elif isinstance(value, tuple):
                document[key] = list(value)
        document["reconnect_cap_index"] = {str(y): str(f) for y, f in self.reconnect_cap_index.items()}
        return document

    def low_income_reconnect_caps(self, year: int) -> tuple[int, int]:
        """(business hours, after hours) caps in cents for ``year``: the $50/$150 of 2021 times the
        latest CPI factor on file for that year or before, rounded down to whole cents."""
        years = [y for y in self.reconnect_cap_index if y <= year]
        factor = self.reconnect_cap_index[max(years)] if years else Decimal("1")
        return (
            int(LOW_INCOME_RECONNECT_CAP_BUSINESS_CENTS * factor),
            int(LOW_INCOME_RECONNECT_CAP_AFTER_HOURS_CENTS * factor),
        )


DEFAULT_POLICY = CollectionsPolicy()


def policy_from_document(document: dict[str, Any]) -> CollectionsPolicy:
    """A stored (already validated) document back into the policy; keys missing take the default."""
    values: dict[str, Any] = {}
    defaults = asdict(DEFAULT_POLICY)
    for key, default in defaults.items():
        if key not in document:
            continue
        value = document[key]
        if key == "reconnect_cap_index":
            values[key] = {int(y): Decimal(str(f)) for y, f in value.items()}
        elif key == "penalty_accounts":
            values[key] = {str(s): str(code) for s, code in value.items()}
        elif isinstance(default, Decimal):
            values[key] = Decimal(str(value))
        elif isinstance(default, tuple):
            values[key] = tuple(str(v) for v in value)
        elif isinstance(default, bool):
            values[key] = bool(value)
        elif isinstance(default, int):
            values[key] = int(value)
        else:
            values[key] = str(value)
    return CollectionsPolicy(**values)
