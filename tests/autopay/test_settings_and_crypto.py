"""The ACH settings are checked at start-up (a Django system check naming the bad setting), and the
field-encryption key: derived in development, required in production, rotatable."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from civicbill.autopay import config, crypto
from civicbill.core.money import Money

GOOD = {name: value for name, value in config.configured_values().items()}


def problems(**changes: str) -> list[tuple[str, str]]:
    found, listed = config.settings_problems({**GOOD, **changes})
    assert (found is None) == bool(listed)
    return listed


def test_the_demo_defaults_are_valid() -> None:
    found, listed = config.settings_problems(GOOD)
    assert listed == [] and found is not None
    assert found.originator.company_name == "CITY COACHELLA"
    assert (found.prenote_wait_business_days, found.return_window_business_days) == (6, 2)
    assert found.return_fee == Money.parse("25.00")


ROUTING_PROBLEM = "routing number 121042883 fails its check digit: the ninth digit should be 2"
CASES = [  # (setting without its CIVICBILL_ACH_ prefix, value, problem; "" when the value is fine)
    ("ODFI_ROUTING", "121042883", ROUTING_PROBLEM),
    ("IMMEDIATE_DESTINATION", "12104288", "'12104288' must be a 9-digit routing number"),
    ("COMPANY_NAME", "CITY OF COACHELLA", "'CITY OF COACHELLA' has 17 characters; it must have 1 to 16"),
    ("COMPANY_ID", "123456789", "'123456789' has 9 characters; it must have exactly 10"),
    ("COMPANY_ID", "1234567890 ", "'1234567890 ' has spaces at its start or end"),
    ("ENTRY_DESCRIPTION", "AGUA Y LUZ", ""),
    ("ENTRY_DESCRIPTION", "AGUA DRENAJE", "'AGUA DRENAJE' has 12 characters; it must have 1 to 10"),
    ("ENTRY_DESCRIPTION", "CAÑERÍA", "'CAÑERÍA' must be plain ASCII letters, digits and punctuation"),
    (
        "IMMEDIATE_ORIGIN",
        "19560001",
        "'19560001' must be 9 or 10 digits (a routing number or the company ID)",
    ),
    ("PRENOTE_WAIT_BUSINESS_DAYS", "2", "'2' must be a whole number of banking days from 3 to 30"),
    ("RETURN_WINDOW_BUSINESS_DAYS", "two", "'two' must be a whole number of banking days from 1 to 10"),
    ("RETURN_FEE", "twenty", "'twenty' is not an amount of dollars such as 25.00"),
    ("RETURN_FEE", "250.00", "$250.00 must be from $0.00 to $100.00"),
]


@pytest.mark.parametrize(("setting", "value", "message"), CASES)
def test_each_bad_setting_is_named_with_what_is_wrong(setting: str, value: str, message: str) -> None:
    name = f"CIVICBILL_ACH_{setting}"
    assert problems(**{name: value}) == ([(name, message)] if message else [])


def test_the_start_up_check_reports_a_bad_setting_by_name(settings: Any) -> None:
    settings.CIVICBILL_ACH_ODFI_ROUTING = "121042883"
    errors = [m for m in run_checks(tags=["civicbill"]) if m.id == "autopay.E001"]
    assert [m.msg for m in errors] == [f"CIVICBILL_ACH_ODFI_ROUTING: {ROUTING_PROBLEM}"]
    with pytest.raises(SystemCheckError, match="CIVICBILL_ACH_ODFI_ROUTING"):
        call_command("check")
    with pytest.raises(ImproperlyConfigured, match="CIVICBILL_ACH_ODFI_ROUTING"):
        config.ach_settings()


@pytest.mark.django_db
def test_production_warns_without_a_field_key_refuses_autopay_and_stops_for_a_malformed_one(
    settings: Any, rosa_account: Any, csr: Any
) -> None:
    from civicbill.autopay.models import Enrollment
    from civicbill.autopay.services import autopay_enroll
    from civicbill.core.exceptions import ApplicationError
    from tests.autopay.conftest import DEC_1, local, written

    settings.CIVICBILL_FIELD_KEY_FROM_SECRET_KEY = False  # as with CIVICBILL_DEBUG=0
    settings.CIVICBILL_FIELD_KEY = ""
    messages = [m for m in run_checks(tags=["civicbill"]) if m.id.startswith("autopay.")]
    assert [m.id for m in messages] == ["autopay.W002"]  # a city without autopay needs no key
    assert messages[0].msg.startswith(
        "CIVICBILL_FIELD_KEY: must be set when CIVICBILL_DEBUG=0 before autopay"
    )
    with pytest.raises(ApplicationError, match="Autopay is not set up on this server") as refused:
        autopay_enroll(
            account=rosa_account, routing_number="121042882", account_number="12345678",
            account_type="checking", authorization=written(DEC_1, "Rosa"), as_of=local(DEC_1), actor=csr,
        )  # fmt: skip
    assert refused.value.code == "field_key" and Enrollment.objects.count() == 0
    with pytest.raises(ImproperlyConfigured, match="CIVICBILL_FIELD_KEY"):
        crypto.encrypt_text("123456789")
    settings.CIVICBILL_FIELD_KEY = "not-a-key"
    errors = [m.msg for m in run_checks(tags=["civicbill"]) if m.id == "autopay.E002"]
    assert errors == [
        "CIVICBILL_FIELD_KEY: key 1 is not a Fernet key (32 bytes, urlsafe base64, 44 characters)"
    ]
    settings.CIVICBILL_FIELD_KEY = Fernet.generate_key().decode()
    assert [m for m in run_checks(tags=["civicbill"]) if m.id.startswith("autopay.")] == []


def test_encryption_round_trips_and_the_development_key_is_derived_from_the_secret_key(settings: Any) -> None:
    token = crypto.encrypt_text("000123456789")
    assert "123456789" not in token
    assert crypto.decrypt_text(token) == "000123456789"
    assert crypto.encrypt_text("000123456789") != token  # a fresh IV every time
    assert crypto.derived_development_key("a") == crypto.derived_development_key("a")
    assert crypto.derived_development_key("a") != crypto.derived_development_key("b")
    settings.SECRET_KEY = "another secret key entirely, for this test only"
    with pytest.raises(crypto.DecryptionError, match="cannot be decrypted"):
        crypto.decrypt_text(token)


def test_a_key_can_be_rotated(settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CIVICBILL_FIELD_KEY = old
    token = crypto.encrypt_text("5550001234")
    settings.CIVICBILL_FIELD_KEY = f"{new},{old}"  # the new key first: it encrypts; both decrypt
    assert crypto.decrypt_text(token) == "5550001234"
    rotated = crypto.reencrypt(token)
    settings.CIVICBILL_FIELD_KEY = new
    assert crypto.decrypt_text(rotated) == "5550001234"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token)


def test_masking_shows_the_last_four_digits_only() -> None:
    assert crypto.masked("6789") == "****6789"
