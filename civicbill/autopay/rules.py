"""Autopay's business rules as pure functions: no database, no settings (docs/autopay.md).

- which return codes leave autopay on (R01, R09) and which end it (every other code, among them
  R02, R03, R04, R07, R08, R10, R29);
- a bank account number's shape; a NOC's transaction code as an account type;
- how much a bill's draft is for;
- when a prenote has waited long enough, and when a draft stops being pending;
- whether a return came back inside its NACHA window, and whether it carries the returned-payment fee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from civicbill import nacha

#: Returns after which the enrollment stays on: the money may be there next month. No automatic
#: re-draft: the bill stays due, the customer may pay it any other way, and the next bill (whose
#: total due carries the unpaid amount) is drafted on its due date.
KEEP_AUTOPAY_CODES = frozenset({"R01", "R09"})
#: Named in the issue; every other code ends the enrollment as well (the bank refused the account
#: or the customer withdrew the authorization; staff may enroll the account again).
END_AUTOPAY_CODES = frozenset({"R02", "R03", "R04", "R07", "R08", "R10", "R29"})

#: Unauthorized-entry returns: the account holder says the debit was not authorized (or no longer).
#: NACHA gives them 60 calendar days after settlement; they never carry a returned-payment fee.
UNAUTHORIZED_RETURN_CODES = frozenset({"R05", "R07", "R10", "R11", "R29"})
UNAUTHORIZED_WINDOW_CALENDAR_DAYS = 60
#: Every other return: available to us by the opening of the second banking day after settlement.
RETURN_WINDOW_BANKING_DAYS = 2

#: Notifications of change that carry bank details to apply.
APPLIED_CHANGE_CODES = frozenset({"C01", "C02", "C03", "C05", "C06", "C07"})
NAME_CHANGE_CODE = "C04"

MIN_ACCOUNT_DIGITS = 4
MAX_ACCOUNT_DIGITS = 17

CHECKING_CODES = frozenset({22, 23, 24, 27, 28, 29})
SAVINGS_CODES = frozenset({32, 33, 34, 37, 38, 39})

# what the letter says about the bank's reason, in the customer's language
REASON_TEXT: dict[str, tuple[str, str]] = {
    "R01": ("there were not enough funds in the account", "no había fondos suficientes en la cuenta"),
    "R02": ("the bank account is closed", "la cuenta bancaria está cerrada"),
    "R03": ("the bank could not find the account", "el banco no encontró la cuenta"),
    "R04": ("the account number is not valid", "el número de cuenta no es válido"),
    "R07": ("the authorization was revoked", "se revocó la autorización"),
    "R08": ("payment was stopped", "se detuvo el pago"),
    "R09": ("the funds were not yet available", "los fondos aún no estaban disponibles"),
    "R10": (
        "the account holder told the bank the payment was not authorized",
        "el titular de la cuenta le dijo al banco que el pago no estaba autorizado",
    ),
    "R16": ("the account is frozen", "la cuenta está congelada"),
    "R20": ("the account does not allow these payments", "la cuenta no permite estos pagos"),
    "R29": ("the payment was not authorized", "el pago no estaba autorizado"),
}


def keeps_autopay(return_code: str) -> bool:
    """R01 and R09 leave autopay on; every other return code ends it."""
    return return_code in KEEP_AUTOPAY_CODES


def charges_fee(return_code: str, fee_codes: frozenset[str]) -> bool:
    """Whether a return carries the returned-payment fee: only the codes the policy names
    (``CIVICBILL_ACH_RETURN_FEE_CODES``, R01/R09 by default), never an unauthorized-entry return."""
    return return_code in fee_codes and return_code not in UNAUTHORIZED_RETURN_CODES


@dataclass(frozen=True, slots=True)
class ReturnTiming:
    """Whether a return arrived inside its NACHA window."""

    timely: bool
    deadline: dt.date  # the last day a timely return may arrive
    rule: str  # the window, in words


def return_timing(
    *,
    return_code: str,
    settlement_date: dt.date,
    received_on: dt.date,
    add_banking_days: Callable[[dt.date, int], dt.date],
) -> ReturnTiming:
    """NACHA's return deadlines, counted from the debit's settlement date: an unauthorized-entry
    return (R05, R07, R10, R11, R29) by the opening of the banking day after the 60th calendar day;
    every other return by the opening of the second banking day. ``received_on`` is the day the
    return was made available (the return file's creation date)."""
    if return_code in UNAUTHORIZED_RETURN_CODES:
        sixtieth = settlement_date + dt.timedelta(days=UNAUTHORIZED_WINDOW_CALENDAR_DAYS)
        deadline = add_banking_days(sixtieth, 1)
        rule = f"{UNAUTHORIZED_WINDOW_CALENDAR_DAYS} calendar days"
    else:
        deadline = add_banking_days(settlement_date, RETURN_WINDOW_BANKING_DAYS)
        rule = f"{RETURN_WINDOW_BANKING_DAYS} banking days"
    return ReturnTiming(received_on <= deadline, deadline, rule)


#: A dishonored return must be sent within 5 banking days after the late return settled.
DISHONOR_WINDOW_BANKING_DAYS = 5


def dishonor_by(*, received_on: dt.date, add_banking_days: Callable[[dt.date, int], dt.date]) -> dt.date:
    """The last day to send the dishonored return (R68) of a late return received ``received_on``."""
    return add_banking_days(received_on, DISHONOR_WINDOW_BANKING_DAYS)


def reason_text(return_code: str, language: str) -> str:
    """The bank's reason in the customer's language (a generic sentence for unusual codes)."""
    english, spanish = REASON_TEXT.get(
        return_code,
        (
            f"the bank returned it (code {return_code})",
            f"el banco lo devolvió (código {return_code})",
        ),
    )
    return spanish if language == "es" else english


def return_reason_label(return_code: str) -> str:
    """``R01 Insufficient funds`` (NACHA's words), for staff and the payment's return reason."""
    return f"{return_code} {nacha.RETURN_REASON_CODES.get(return_code, 'Returned')}"


def change_reason_label(change_code: str) -> str:
    return f"{change_code} {nacha.CHANGE_CODES.get(change_code, 'Notification of change')}"


def clean_account_number(text: str) -> str:
    """The digits of a bank account number as typed (spaces and dashes dropped)."""
    return "".join(char for char in str(text) if char not in " -")


def account_number_problem(text: str) -> str:
    """Why ``text`` (already cleaned) is not a usable bank account number; empty when it is.
    Never repeats the number itself."""
    if not text:
        return "Enter the bank account number"
    if not (text.isascii() and text.isdigit()):
        return "A bank account number has digits only"
    if not MIN_ACCOUNT_DIGITS <= len(text) <= MAX_ACCOUNT_DIGITS:
        return (
            f"A bank account number has {MIN_ACCOUNT_DIGITS} to {MAX_ACCOUNT_DIGITS} digits; "
            f"this one has {len(text)}"
        )
    return ""


def routing_number_problem(text: str) -> str:
    """Why ``text`` is not a routing number (naming the expected check digit); empty when it is."""
    if len(text) != 9 or not (text.isascii() and text.isdigit()):
        return "A routing number has exactly 9 digits"
    if not nacha.is_valid_routing_number(text):
        expected = nacha.routing_check_digit(text[:8])
        return (
            f"Routing number {text} fails its check digit: with {text[:8]} the ninth digit must be "
            f"{expected}, not {text[8]}. Check the number on the customer's check or bank letter."
        )
    return ""


def account_type_of_transaction_code(code: int) -> str | None:
    """``checking`` / ``savings`` for a (corrected) transaction code; None for other accounts."""
    if code in CHECKING_CODES:
        return nacha.CHECKING
    if code in SAVINGS_CODES:
        return nacha.SAVINGS
    return None


def draft_amount_cents(*, bill_total_due_cents: int, balance_cents: int) -> int:
    """What a bill's draft takes: the bill's total due, but never more than the account owes now
    (payments since the bill lower it); nothing when the account owes nothing."""
    return max(0, min(bill_total_due_cents, balance_cents))


def prenote_waited(
    *,
    prenote_effective_date: dt.date,
    as_of: dt.date,
    wait_business_days: int,
    add_business_days: Callable[[dt.date, int], dt.date],
) -> bool:
    """True once ``wait_business_days`` business days have passed since the prenote's effective
    entry date, counted to ``as_of`` (the day a draft file is created, when returns so far are known)."""
    return add_business_days(prenote_effective_date, wait_business_days) <= as_of


@dataclass(frozen=True, slots=True)
class PendingState:
    """Whether a drafted payment is still within its return window on a day."""

    pending: bool
    label: str


def pending_state(*, status: str, clears_on: dt.date | None, today: dt.date) -> PendingState:
    """A drafted debit is *pending* until its clearing day (effective date + return window), then
    *cleared*; a returned or cancelled one says so (unauthorized returns may still come later)."""
    if status == "returned":
        return PendingState(False, "returned")
    if status == "cancelled":
        return PendingState(False, "cancelled")
    if clears_on is None:
        return PendingState(False, "prenote")
    if today < clears_on:
        return PendingState(True, "pending")
    return PendingState(False, "cleared")
