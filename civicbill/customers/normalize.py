"""Normalisation for search, and account numbers. Pure: no ORM, no clock.

The search columns of customers and premises hold these normalised forms, and a query is put
through the same functions, so what a clerk types meets what is stored: "Peña", "PENA" and "peña"
all become ``PENA``; "52 ave 48" and "52 Avenue 48" both become ``52 AVENUE 48``; "(760) 555-0134"
and "1-760-555-0134" both become ``7605550134``.

Account numbers are a 7-digit sequence, a dash and a mod-10 check digit (``1000001-8``); a clerk may
type them with or without the dash, and the check digit catches a mistyped digit.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from civicbill.core.checkdigit import mod10_check_digit

# -- typed on one line (the command line) -----------------------------------------------------

_STATE_ZIP = re.compile(r"^(?P<state>[A-Za-z]{2})\s+(?P<zip>\d{5}(?:-\d{4})?)$")


def split_person_name(text: str) -> tuple[str, str]:
    """``"María de la Cruz"`` → ``("María de la", "Cruz")``: the last word is the last name (a single
    word is a last name alone)."""
    words = text.split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]


def split_postal_address(text: str) -> dict[str, str]:
    """A mailing address typed on one line, ``"LINE1[, LINE2], CITY, ST ZIP"``, as the customer's mailing
    fields (``mailing_line1`` ... ``mailing_zip``). Raises ValueError saying what is missing."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) < 3 or len(parts) > 4 or not all(parts):
        raise ValueError(
            f'{text!r} is not an address like "PO Box 12, Indio, CA 92201" (line 1, an optional line 2, '
            "city, state and ZIP code, separated by commas)"
        )
    found = _STATE_ZIP.match(parts[-1])
    if found is None:
        raise ValueError(f'{parts[-1]!r} is not a state and ZIP code like "CA 92201"')
    return {
        "mailing_line1": parts[0],
        "mailing_line2": parts[1] if len(parts) == 4 else "",
        "mailing_city": parts[-2],
        "mailing_state": found["state"].upper(),
        "mailing_zip": found["zip"],
    }


# -- names ---------------------------------------------------------------------------------------

_APOSTROPHES = "'\u2019\u2018`\u00b4"  # straight, right and left single quotes, grave, acute
_NOT_WORD = re.compile(r"[^0-9A-Z]+")


def strip_accents(text: str) -> str:
    """``Peña Núñez`` → ``Pena Nunez`` (letters keep their base form; marks are dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize_words(text: str) -> str:
    """Upper case, accents stripped, apostrophes dropped, other punctuation made a single space."""
    upper = strip_accents(text).upper()
    for apostrophe in _APOSTROPHES:
        upper = upper.replace(apostrophe, "")
    return _NOT_WORD.sub(" ", upper).strip()


def normalize_name(text: str) -> str:
    """A name for search: ``María  de la Peña`` → ``MARIA DE LA PENA``; ``O'Brien`` → ``OBRIEN``."""
    return normalize_words(text)


def person_search_names(first_name: str, last_name: str) -> tuple[str, str]:
    """(``FIRST LAST``, ``LAST FIRST``): the two orders a clerk may type a person's name in."""
    first, last = normalize_name(first_name), normalize_name(last_name)
    return f"{first} {last}".strip(), f"{last} {first}".strip()


def business_search_names(business_name: str) -> tuple[str, str]:
    """(name, name without a leading ``THE``): "the home depot" and "home depot" both find it."""
    name = normalize_name(business_name)
    without_article = name[4:] if name.startswith("THE ") else name
    return name, without_article


# -- phone and email -----------------------------------------------------------------------------


def phone_digits(text: str) -> str:
    """The digits of a US phone number, without a leading country code 1 (``7605550134``).

    Returns the digits found even when there are not ten of them; :func:`is_us_phone` says
    whether they make a full number.
    """
    digits = "".join(char for char in text if char.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def is_us_phone(digits: str) -> bool:
    """Ten digits whose area code and exchange do not start with 0 or 1 (NANP)."""
    return len(digits) == 10 and digits.isdigit() and digits[0] not in "01" and digits[3] not in "01"


def format_phone(digits: str) -> str:
    """``7605550134`` → ``760-555-0134``."""
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def normalize_email(text: str) -> str:
    return text.strip().lower()


# -- service addresses ---------------------------------------------------------------------------

# Suffixes and directions, each spelled one way (USPS Publication 28 abbreviations, expanded).
ADDRESS_WORDS: dict[str, str] = {
    "AV": "AVENUE",
    "AVE": "AVENUE",
    "AVN": "AVENUE",
    "AVENU": "AVENUE",
    "ST": "STREET",
    "STR": "STREET",
    "DR": "DRIVE",
    "DRV": "DRIVE",
    "BLVD": "BOULEVARD",
    "BL": "BOULEVARD",
    "BOUL": "BOULEVARD",
    "RD": "ROAD",
    "LN": "LANE",
    "CT": "COURT",
    "CRT": "COURT",
    "PL": "PLACE",
    "CIR": "CIRCLE",
    "HWY": "HIGHWAY",
    "PKWY": "PARKWAY",
    "TER": "TERRACE",
    "TRL": "TRAIL",
    "WY": "WAY",
    "N": "NORTH",
    "S": "SOUTH",
    "E": "EAST",
    "W": "WEST",
    "NE": "NORTHEAST",
    "NW": "NORTHWEST",
    "SE": "SOUTHEAST",
    "SW": "SOUTHWEST",
}
# Words that introduce a unit; all become UNIT ("Apt 3", "#3", "Ste 3" → "UNIT 3").
UNIT_WORDS = frozenset({"UNIT", "APT", "APARTMENT", "STE", "SUITE", "SPC", "SPACE", "NO", "NUM"})


def _address_tokens(text: str) -> list[str]:
    spaced = strip_accents(text).upper().replace("#", " # ")
    for apostrophe in _APOSTROPHES:
        spaced = spaced.replace(apostrophe, "")
    # keep "1/2" and "12-B" in house numbers; everything else that is not a letter or digit splits
    return [token for token in re.split(r"[^0-9A-Z/\-#]+", spaced) if token.strip("-/")]


def _expand(word: str) -> str:
    if word in UNIT_WORDS or word == "#":
        return "UNIT"
    return ADDRESS_WORDS.get(word, word)


def normalize_address_words(text: str) -> str:
    """Street words normalised: ``n. main st`` → ``NORTH MAIN STREET``; ``apt 3`` → ``UNIT 3``."""
    words = [_expand(token) for token in _address_tokens(text)]
    collapsed: list[str] = []
    for word in words:  # "UNIT #3" and "APT # 3" are one UNIT
        if word == "UNIT" and collapsed and collapsed[-1] == "UNIT":
            continue
        collapsed.append(word)
    return " ".join(collapsed)


def normalize_unit(unit: str) -> str:
    """A premise's unit as stored for search: ``#3``, ``Apt 3``, ``3`` → ``UNIT 3``; blank stays blank."""
    words = normalize_address_words(unit).split()
    while words and words[0] == "UNIT":
        words.pop(0)
    return f"UNIT {' '.join(words)}" if words else ""


def premise_search_address(house_number: str, street_name: str, unit: str = "") -> str:
    """``52 AVENUE 48 UNIT 3``: house number first, for "52 ave 48"."""
    parts = [
        normalize_address_words(house_number),
        normalize_address_words(street_name),
        normalize_unit(unit),
    ]
    return " ".join(part for part in parts if part)


def premise_search_street(house_number: str, street_name: str, unit: str = "") -> str:
    """``AVENUE 48 52 UNIT 3``: street first, so "avenue 48" finds every house on the street."""
    parts = [
        normalize_address_words(street_name),
        normalize_address_words(house_number),
        normalize_unit(unit),
    ]
    return " ".join(part for part in parts if part)


# -- account numbers -----------------------------------------------------------------------------

ACCOUNT_SEQUENCE_DIGITS = 7
MAX_ACCOUNT_SEQUENCE = 10**ACCOUNT_SEQUENCE_DIGITS - 1
MIN_ACCOUNT_PREFIX_DIGITS = 5
_ACCOUNT_NUMBER = re.compile(r"^\s*(\d{7})\s*-?\s*(\d)\s*$")


def account_number_for(sequence: int) -> str:
    """``1000001`` → ``1000001-8``: the sequence zero-filled to 7 digits, a dash, the check digit."""
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"an account sequence is an int, not {type(sequence).__name__}")
    if not 1 <= sequence <= MAX_ACCOUNT_SEQUENCE:
        raise ValueError(f"account sequence {sequence} is outside 1..{MAX_ACCOUNT_SEQUENCE}")
    digits = f"{sequence:0{ACCOUNT_SEQUENCE_DIGITS}d}"
    return f"{digits}-{mod10_check_digit(digits)}"


def account_sequence_of(number: str) -> int | None:
    """The sequence of a well-formed account number (``1000001-8`` → ``1000001``), else None."""
    canonical = canonical_account_number(number)
    return int(canonical[:ACCOUNT_SEQUENCE_DIGITS]) if canonical else None


def canonical_account_number(text: str) -> str | None:
    """``10000018``, ``1000001-8``, ``1000001 - 8`` → ``1000001-8`` if the check digit holds, else None."""
    match = _ACCOUNT_NUMBER.match(text)
    if not match:
        return None
    digits, check = match.groups()
    if mod10_check_digit(digits) != int(check):
        return None
    return f"{digits}-{check}"


def is_valid_account_number(text: str) -> bool:
    return canonical_account_number(text) is not None


def looks_like_account_number(text: str) -> bool:
    """Eight digits in the account number's shape, whether or not the check digit holds."""
    return _ACCOUNT_NUMBER.match(text) is not None


# -- what a query is -----------------------------------------------------------------------------


class QueryKind(enum.StrEnum):
    ACCOUNT_NUMBER = "account_number"  # a full number whose check digit holds: an exact hit
    ACCOUNT_PREFIX = "account_prefix"  # 5-7 digits: the start of a number (7 = number without check digit)
    PHONE = "phone"  # 8-11 digits: a (start of a) phone number
    PHONE_LOCAL = "phone_local"  # 7 digits: a number without its area code
    EMAIL = "email"
    ADDRESS = "address"  # starts with a house number: "52 ave 48"
    STREET = "street"  # a street without a house number: "avenue 48"
    NAME = "name"  # "maria garcia", "garcia maria", "garcia", "acme"


_PHONE_PUNCTUATION = re.compile(r"[\s\-().+/]")


@dataclass(frozen=True)
class ClassifiedQuery:
    """What a search box query may mean; each non-empty field is one search to run."""

    text: str
    account_number: str = ""  # canonical, check digit valid
    account_prefix: str = ""  # digits (a prefix of the 7-digit sequence, or all 7 of them)
    phone_prefix: str = ""  # 8-10 digits from the start of a phone number
    phone_local: str = ""  # 7 digits: the last seven of a phone number
    email: str = ""  # lower-cased, a prefix of the address
    address_prefixes: tuple[str, ...] = ()  # best reading first
    street_prefixes: tuple[str, ...] = ()
    name: str = ""  # normalised words, in the order typed
    bad_check_digit: bool = False  # shaped like an account number but the check digit is wrong

    @property
    def kinds(self) -> frozenset[QueryKind]:
        present = {
            QueryKind.ACCOUNT_NUMBER: self.account_number,
            QueryKind.ACCOUNT_PREFIX: self.account_prefix,
            QueryKind.PHONE: self.phone_prefix,
            QueryKind.PHONE_LOCAL: self.phone_local,
            QueryKind.EMAIL: self.email,
            QueryKind.ADDRESS: self.address_prefixes,
            QueryKind.STREET: self.street_prefixes,
            QueryKind.NAME: self.name,
        }
        return frozenset(kind for kind, value in present.items() if value)

    @property
    def name_words(self) -> tuple[str, ...]:
        return tuple(self.name.split())


def _address_readings(text: str) -> tuple[str, ...]:
    """The normalised address, plus the reading with its last word as typed.

    A clerk still typing "52 s" may mean "52 South ..." or "52 Sunset ..."; "52 main st" may be
    "52 Main Street" or "52 Main Stanley ...". The expanded reading is the better match.
    """
    tokens = _address_tokens(text)
    if not tokens:
        return ()
    expanded = normalize_address_words(text)
    readings = [expanded]
    last = tokens[-1]
    if _expand(last) != last and last != "#":
        as_typed = " ".join([*expanded.split()[:-1], last])
        if as_typed != expanded:
            readings.append(as_typed)
    return tuple(readings)


def classify_query(text: str) -> ClassifiedQuery:
    """Read a search box query: account number, phone, email, address, street or name.

    A query may be several kinds at once ("1000001" is the start of an account number and could be
    a 7-digit phone number; "avenue 48" could be a street or a business name); the search runs each.
    """
    stripped = " ".join(text.split())
    if not stripped:
        return ClassifiedQuery(text="")
    if "@" in stripped:
        return ClassifiedQuery(text=stripped, email=normalize_email(stripped))

    compact = _PHONE_PUNCTUATION.sub("", stripped)
    if compact.isdigit():
        return _classify_digits(stripped, compact)

    words = normalize_address_words(stripped).split()
    if words and words[0][0].isdigit():
        readings = _address_readings(stripped)
        # "1st street", "52b main": the first word may be a numbered street as well as a house number
        street = readings if not words[0].isdigit() else ()
        return ClassifiedQuery(text=stripped, address_prefixes=readings, street_prefixes=street)
    return ClassifiedQuery(
        text=stripped,
        name=normalize_name(stripped),
        street_prefixes=_address_readings(stripped),
    )


def _classify_digits(stripped: str, digits: str) -> ClassifiedQuery:
    if looks_like_account_number(stripped) and len(digits) == ACCOUNT_SEQUENCE_DIGITS + 1:
        canonical = canonical_account_number(stripped)
        if canonical:
            return ClassifiedQuery(text=stripped, account_number=canonical)
        # a wrong check digit: a mistyped number; it could also be the start of a phone number
        return ClassifiedQuery(text=stripped, phone_prefix=digits, bad_check_digit=True)
    if len(digits) <= 6:
        # "52": a house number ("52 " starts "52 AVENUE 48"); from five digits on, also the start
        # of an account number (every sequence has seven digits, so shorter prefixes say little)
        prefix = digits if len(digits) >= MIN_ACCOUNT_PREFIX_DIGITS else ""
        return ClassifiedQuery(text=stripped, account_prefix=prefix, address_prefixes=(f"{digits} ",))
    if len(digits) == 7:
        return ClassifiedQuery(text=stripped, account_prefix=digits, phone_local=digits)
    national = phone_digits(digits)
    if len(national) <= 10:
        return ClassifiedQuery(text=stripped, phone_prefix=national)
    return ClassifiedQuery(text=stripped)
