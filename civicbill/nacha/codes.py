"""NACHA code lists: transaction codes, service classes, SEC codes, return reasons, change codes.

Also the routing-number check digit (weights 3,7,1,3,7,1,3,7; check = (10 - sum mod 10) mod 10).
"""

from __future__ import annotations

# -- routing numbers ---------------------------------------------------------------------------------

_ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)


def routing_check_digit(first_eight: str) -> int:
    """The ninth digit of an ABA routing number whose first eight digits are given."""
    if len(first_eight) != 8 or not (first_eight.isascii() and first_eight.isdigit()):
        raise ValueError(f"{first_eight!r} must be exactly 8 digits")
    total = sum(int(char) * weight for char, weight in zip(first_eight, _ROUTING_WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def is_valid_routing_number(routing: str) -> bool:
    """Nine ASCII digits whose last is the check digit of the first eight."""
    if len(routing) != 9 or not (routing.isascii() and routing.isdigit()):
        return False
    # Weights 3,7,1 repeated; adding the check digit (weight 1) makes a valid number a multiple of 10.
    # On the ASCII codes each digit carries 48, and the weights add up to 33: 48 * 33 = 1584.
    x = routing.encode("ascii")
    return (3 * (x[0] + x[3] + x[6]) + 7 * (x[1] + x[4] + x[7]) + x[2] + x[5] + x[8] - 1584) % 10 == 0


# -- transaction codes -------------------------------------------------------------------------------

#: code -> (account type, kind) where kind is one of credit, debit (live money), prenote,
#: zero (zero-dollar with remittance data), return (automated return / NOC entry).
TRANSACTION_CODES: dict[int, tuple[str, str, str]] = {
    21: ("checking", "credit", "return"),
    22: ("checking", "credit", "live"),
    23: ("checking", "credit", "prenote"),
    24: ("checking", "credit", "zero"),
    26: ("checking", "debit", "return"),
    27: ("checking", "debit", "live"),
    28: ("checking", "debit", "prenote"),
    29: ("checking", "debit", "zero"),
    31: ("savings", "credit", "return"),
    32: ("savings", "credit", "live"),
    33: ("savings", "credit", "prenote"),
    34: ("savings", "credit", "zero"),
    36: ("savings", "debit", "return"),
    37: ("savings", "debit", "live"),
    38: ("savings", "debit", "prenote"),
    39: ("savings", "debit", "zero"),
    41: ("general ledger", "credit", "return"),
    42: ("general ledger", "credit", "live"),
    43: ("general ledger", "credit", "prenote"),
    44: ("general ledger", "credit", "zero"),
    46: ("general ledger", "debit", "return"),
    47: ("general ledger", "debit", "live"),
    48: ("general ledger", "debit", "prenote"),
    49: ("general ledger", "debit", "zero"),
    51: ("loan", "credit", "return"),
    52: ("loan", "credit", "live"),
    53: ("loan", "credit", "prenote"),
    54: ("loan", "credit", "zero"),
    55: ("loan", "debit", "live"),
    56: ("loan", "debit", "return"),
}

CHECKING_DEBIT = 27
CHECKING_PRENOTE_DEBIT = 28
SAVINGS_DEBIT = 37
SAVINGS_PRENOTE_DEBIT = 38
CHECKING_CREDIT = 22
CHECKING_PRENOTE_CREDIT = 23
SAVINGS_CREDIT = 32
SAVINGS_PRENOTE_CREDIT = 33

DEBIT_CODES = frozenset(code for code, (_, side, _) in TRANSACTION_CODES.items() if side == "debit")
CREDIT_CODES = frozenset(code for code, (_, side, _) in TRANSACTION_CODES.items() if side == "credit")
#: Prenotes and zero-dollar entries must carry amount 0.
ZERO_AMOUNT_CODES = frozenset(
    code for code, (_, _, kind) in TRANSACTION_CODES.items() if kind in ("prenote", "zero")
)
PRENOTE_CODES = frozenset(code for code, (_, _, kind) in TRANSACTION_CODES.items() if kind == "prenote")

# -- batch header codes ------------------------------------------------------------------------------

SERVICE_CLASS_MIXED = 200
SERVICE_CLASS_CREDITS = 220
SERVICE_CLASS_DEBITS = 225
SERVICE_CLASSES = {
    SERVICE_CLASS_MIXED: "mixed debits and credits",
    SERVICE_CLASS_CREDITS: "credits only",
    SERVICE_CLASS_DEBITS: "debits only",
}

#: Standard entry class codes this library reads. IAT is recognised but its entries are not parsed.
SEC_CODES = {
    "PPD": "prearranged payment and deposit (consumer)",
    "CCD": "corporate credit or debit",
    "WEB": "internet-initiated entry",
    "TEL": "telephone-initiated entry",
    "POS": "point-of-sale entry",
    "COR": "notification of change / refused notification of change",
    "IAT": "international ACH transaction (not supported)",
}
UNSUPPORTED_SEC_CODES = frozenset({"IAT"})

# -- addenda -----------------------------------------------------------------------------------------

ADDENDA_PAYMENT = "05"
ADDENDA_NOC = "98"
ADDENDA_RETURN = "99"
IAT_ADDENDA_TYPES = frozenset({"10", "11", "12", "13", "14", "15", "16", "17", "18"})

#: The standard NACHA return reason codes (R48-R49, R54-R60, R63-R66, R78-R79 do not exist).
RETURN_REASON_CODES: dict[str, str] = {
    "R01": "Insufficient funds",
    "R02": "Account closed",
    "R03": "No account / unable to locate account",
    "R04": "Invalid account number structure",
    "R05": "Unauthorized debit to consumer account using corporate SEC code",
    "R06": "Returned per ODFI's request",
    "R07": "Authorization revoked by customer",
    "R08": "Payment stopped",
    "R09": "Uncollected funds",
    "R10": "Customer advises originator is not known or not authorized",
    "R11": "Customer advises entry not in accordance with the terms of the authorization",
    "R12": "Account sold to another DFI",
    "R13": "Invalid ACH routing number",
    "R14": "Representative payee deceased or unable to continue in that capacity",
    "R15": "Beneficiary or account holder deceased",
    "R16": "Account frozen / entry returned per OFAC instruction",
    "R17": "File record edit criteria / entry returned under questionable circumstances",
    "R18": "Improper effective entry date",
    "R19": "Amount field error",
    "R20": "Non-transaction account",
    "R21": "Invalid company identification",
    "R22": "Invalid individual ID number",
    "R23": "Credit entry refused by receiver",
    "R24": "Duplicate entry",
    "R25": "Addenda error",
    "R26": "Mandatory field error",
    "R27": "Trace number error",
    "R28": "Routing number check digit error",
    "R29": "Corporate customer advises not authorized",
    "R30": "RDFI not participant in check truncation program",
    "R31": "Permissible return entry (CCD and CTX only)",
    "R32": "RDFI non-settlement",
    "R33": "Return of XCK entry",
    "R34": "Limited participation DFI",
    "R35": "Return of improper debit entry",
    "R36": "Return of improper credit entry",
    "R37": "Source document presented for payment",
    "R38": "Stop payment on source document",
    "R39": "Improper source document / source document presented for payment",
    "R40": "Return of ENR entry by federal government agency",
    "R41": "Invalid transaction code (ENR)",
    "R42": "Routing number / check digit error (ENR)",
    "R43": "Invalid DFI account number (ENR)",
    "R44": "Invalid individual ID number / identification number (ENR)",
    "R45": "Invalid individual name / company name (ENR)",
    "R46": "Invalid representative payee indicator (ENR)",
    "R47": "Duplicate enrollment (ENR)",
    "R50": "State law affecting RCK acceptance",
    "R51": "Item related to RCK entry is ineligible or RCK entry is improper",
    "R52": "Stop payment on item related to RCK entry",
    "R53": "Item and RCK entry presented for payment",
    "R61": "Misrouted return",
    "R62": "Return of erroneous or reversing debit",
    "R67": "Duplicate return",
    "R68": "Untimely return",
    "R69": "Field error(s)",
    "R70": "Permissible return entry not accepted / return not requested by ODFI",
    "R71": "Misrouted dishonored return",
    "R72": "Untimely dishonored return",
    "R73": "Timely original return",
    "R74": "Corrected return",
    "R75": "Return not a duplicate",
    "R76": "No errors found",
    "R77": "Non-acceptance of R62 dishonored return",
    "R80": "IAT entry coding error",
    "R81": "Non-participant in IAT program",
    "R82": "Invalid foreign receiving DFI identification",
    "R83": "Foreign receiving DFI unable to settle",
    "R84": "Entry not processed by gateway",
    "R85": "Incorrectly coded outbound international payment",
}
#: Returns the ODFI dishonors (addenda 99 in the dishonored layout).
DISHONORED_RETURN_CODES = frozenset({"R61", "R62", "R67", "R68", "R69", "R70"})
#: Dishonored returns the RDFI contests (addenda 99 in the contested layout).
CONTESTED_RETURN_CODES = frozenset({"R71", "R72", "R73", "R74", "R75", "R76", "R77"})

#: Notification-of-change codes (C01-C14) and refused-NOC codes (C61-C69).
CHANGE_CODES: dict[str, str] = {
    "C01": "Incorrect DFI account number",
    "C02": "Incorrect routing number",
    "C03": "Incorrect routing number and DFI account number",
    "C04": "Incorrect individual name / receiving company name",
    "C05": "Incorrect transaction code",
    "C06": "Incorrect DFI account number and transaction code",
    "C07": "Incorrect routing number, DFI account number and transaction code",
    "C08": "Incorrect receiving DFI identification (IAT only)",
    "C09": "Incorrect individual identification number",
    "C10": "Incorrect company name",
    "C11": "Incorrect company identification",
    "C12": "Incorrect company name and company identification",
    "C13": "Addenda format error",
    "C14": "Incorrect SEC code for outbound international payment",
    "C61": "Misrouted notification of change",
    "C62": "Incorrect trace number",
    "C63": "Incorrect company identification number",
    "C64": "Incorrect individual identification number",
    "C65": "Incorrectly formatted corrected data",
    "C66": "Incorrect discretionary data",
    "C67": "Routing number not from original entry detail record",
    "C68": "DFI account number not from original entry detail record",
    "C69": "Incorrect transaction code",
}

#: File ID modifiers in the order they are used within one day.
FILE_ID_MODIFIERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def is_return_reason_code(code: str, *, allow_custom: bool = False) -> bool:
    """A standard R code; with ``allow_custom`` any ``R`` followed by two digits."""
    if code in RETURN_REASON_CODES:
        return True
    return allow_custom and len(code) == 3 and code[0] == "R" and code[1:].isascii() and code[1:].isdigit()
