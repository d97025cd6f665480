"""Who receives a copy of a final notice (pure: no Django).

- **Residential** accounts get final notices (SB 998 protects residential service): premise types
  ``single_family`` and ``multi_family`` (customers ``Premise.PremiseType``).
- **Occupant copy** (§116908(a)(2)): when the customer's mailing address is not the service address,
  a copy goes to "Occupant" at the service address. Addresses are compared as the customers app
  normalises them (``52 Ave 48 Apt 3`` is ``52 AVENUE 48 UNIT 3``) with the 5-digit ZIP code.
- **Tenants of a landlord-billed building** (§116916, Gov. Code §60371): a residential premise that
  is ``multi_family`` or has more than one dwelling unit, billed to one account, is a building whose
  tenants do not receive the bill. They get a notice at least ``tenant_notice_days`` (10) days before
  the shutoff, one copy per dwelling unit (posted on each unit's door or mailed to it), telling them
  they may become customers without paying the landlord's arrears. That notice is addressed to the
  residents at the service address, so it stands in for the Occupant copy at such a building.
"""

from __future__ import annotations

from civicbill.customers.normalize import normalize_address_words

RESIDENTIAL_PREMISE_TYPES = frozenset({"single_family", "multi_family"})


def is_residential(premise_type: str) -> bool:
    return premise_type in RESIDENTIAL_PREMISE_TYPES


def landlord_billed(premise_type: str, dwelling_units: int) -> bool:
    """A residential building with several dwelling units billed to one account."""
    return is_residential(premise_type) and (premise_type == "multi_family" or dwelling_units > 1)


def same_address(
    *, mailing_line1: str, mailing_line2: str, mailing_zip: str, premise_search_address: str, premise_zip: str
) -> bool:
    """Is the mailing address the service address? (``premise_search_address`` is the premise's
    normalised ``search_address``.)"""
    mailing = normalize_address_words(f"{mailing_line1} {mailing_line2}")
    return mailing == premise_search_address and mailing_zip.strip()[:5] == premise_zip.strip()[:5]
