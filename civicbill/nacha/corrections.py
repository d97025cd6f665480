"""The corrected data of a notification of change (addenda 98), by change code."""

from __future__ import annotations

from dataclasses import dataclass

from civicbill.nacha import codes


@dataclass(frozen=True, slots=True)
class Correction:
    """What the receiving bank says to change; only the fields the change code carries are set."""

    change_code: str
    routing_number: str = ""
    account_number: str = ""
    transaction_code: int | None = None
    name: str = ""
    identification_number: str = ""
    other: str = ""


def parse_corrected_data(change_code: str, corrected_data: str) -> tuple[Correction, list[str]]:
    """The correction the data carries and what is wrong with it (empty list when well-formed).

    Layouts (positions within the 29-character corrected data field): C01 account (1-17); C02 routing
    (1-9); C03 routing (1-9), 3 blanks, account (13-29); C04 name (1-22); C05 transaction code (1-2);
    C06 account (1-17), 5 blanks, transaction code (23-24); C07 routing (1-9), account (10-26),
    transaction code (27-28); C09 identification number (1-22); others: free text.
    """
    data = corrected_data.ljust(29)
    problems: list[str] = []

    def routing(text: str) -> str:
        if not codes.is_valid_routing_number(text):
            problems.append(f"corrected routing number {text!r} is not 9 digits with a valid check digit")
        return text

    def account(text: str) -> str:
        text = text.strip()
        if not text:
            problems.append("corrected account number is blank")
        return text

    def transaction(text: str) -> int | None:
        if text.isascii() and text.isdigit() and int(text) in codes.TRANSACTION_CODES:
            return int(text)
        problems.append(f"corrected transaction code {text!r} is not a known transaction code")
        return None

    if change_code == "C01":
        return Correction(change_code, account_number=account(data[0:17])), problems
    if change_code == "C02":
        return Correction(change_code, routing_number=routing(data[0:9])), problems
    if change_code == "C03":
        return (
            Correction(change_code, routing_number=routing(data[0:9]), account_number=account(data[12:29])),
            problems,
        )
    if change_code == "C05":
        return Correction(change_code, transaction_code=transaction(data[0:2])), problems
    if change_code == "C06":
        return (
            Correction(
                change_code, account_number=account(data[0:17]), transaction_code=transaction(data[22:24])
            ),
            problems,
        )
    if change_code == "C07":
        return (
            Correction(
                change_code,
                routing_number=routing(data[0:9]),
                account_number=account(data[9:26]),
                transaction_code=transaction(data[26:28]),
            ),
            problems,
        )
    text = data.strip()
    if change_code == "C04":
        correction = Correction(change_code, name=text)
    elif change_code == "C09":
        correction = Correction(change_code, identification_number=text)
    else:
        correction = Correction(change_code, other=text)
    if not text and change_code in ("C04", "C09", "C10", "C11", "C12"):
        problems.append(f"corrected data is blank for {change_code}")
    return correction, problems
