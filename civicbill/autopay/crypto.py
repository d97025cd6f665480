"""Bank account numbers (and the ACH files that carry them) encrypted at rest (ADR 0010).

Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package) with the key(s) in the
setting ``CIVICBILL_FIELD_KEY``: comma-separated Fernet keys, the first encrypts and every one
decrypts, so a key can be rotated (:func:`reencrypt`). Without the setting, and only in development
(``CIVICBILL_DEBUG=1``, recorded as ``CIVICBILL_FIELD_KEY_FROM_SECRET_KEY``), the key is derived from
``SECRET_KEY`` with HKDF-SHA256; in production the start-up check refuses to run without it.

Only the masked form (``****6789``) is ever shown, logged or audited; :func:`masked` makes it.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from civicbill.core.exceptions import ApplicationError

FIELD_KEY = "CIVICBILL_FIELD_KEY"
DERIVE_SETTING = "CIVICBILL_FIELD_KEY_FROM_SECRET_KEY"  # True in development (CIVICBILL_DEBUG=1)
_DERIVATION_INFO = b"civicbill field encryption: bank account numbers"


class DecryptionError(Exception):
    """A stored value cannot be decrypted with the configured key(s) (wrong or rotated-away key)."""


def derived_development_key(secret_key: str) -> bytes:
    """The development key: HKDF-SHA256 of ``SECRET_KEY`` (a Fernet key, urlsafe base64)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


MISSING_KEY = (
    "must be set when CIVICBILL_DEBUG=0 before autopay is used: bank account numbers are encrypted with "
    "it (make one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())')"
)


def key_missing(field_key: str, *, development: bool) -> bool:
    """No key and none may be derived (production): autopay cannot store bank account numbers."""
    return not field_key.strip() and not development


def key_problems(field_key: str, *, development: bool) -> list[tuple[str, str]]:
    """What is wrong with the ``CIVICBILL_FIELD_KEY`` value (pure), as ``(setting, message)``."""
    if not field_key.strip():
        return [(FIELD_KEY, MISSING_KEY)] if not development else []
    problems = []
    for position, key in enumerate(field_key.split(","), start=1):
        try:
            Fernet(key.strip().encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            problems.append(
                (FIELD_KEY, f"key {position} is not a Fernet key (32 bytes, urlsafe base64, 44 characters)")
            )
    return problems


@lru_cache(maxsize=4)
def _cipher(field_key: str, secret_key: str, development: bool) -> MultiFernet:
    problems = key_problems(field_key, development=development)
    if problems:
        raise ImproperlyConfigured("; ".join(f"{name}: {message}" for name, message in problems))
    if field_key.strip():
        keys = [key.strip().encode("ascii") for key in field_key.split(",")]
    else:
        keys = [derived_development_key(secret_key)]
    return MultiFernet([Fernet(key) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(getattr(settings, FIELD_KEY, "") or "", settings.SECRET_KEY, development())


def require_key() -> None:
    """Refuse (``ApplicationError``, for the person at the counter) when bank account numbers cannot be
    encrypted: no key in production, or a malformed one."""
    problems = key_problems(getattr(settings, FIELD_KEY, "") or "", development=development())
    if problems:
        raise ApplicationError(
            "Autopay is not set up on this server: "
            + "; ".join(f"{name} {message}" for name, message in problems),
            code="field_key",
        )


def development() -> bool:
    """Whether an empty key may be derived from ``SECRET_KEY`` (set from CIVICBILL_DEBUG at start)."""
    return bool(getattr(settings, DERIVE_SETTING, False))


def encrypt_bytes(data: bytes) -> str:
    """The Fernet token (ASCII text) of ``data``."""
    return cipher().encrypt(data).decode("ascii")


def decrypt_bytes(token: str) -> bytes:
    try:
        return cipher().decrypt(token.encode("ascii"))
    except InvalidToken:
        raise DecryptionError(
            f"a stored value cannot be decrypted with the key(s) in {FIELD_KEY}; was the key changed?"
        ) from None


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode("utf-8"))


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token).decode("utf-8")


def reencrypt(token: str) -> str:
    """The token encrypted again with the first (newest) key: key rotation."""
    try:
        return cipher().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DecryptionError(f"a stored value cannot be decrypted with the key(s) in {FIELD_KEY}") from None


def masked(last4: str) -> str:
    """``****6789``: the only form of a bank account number shown, logged or audited."""
    return f"****{last4}"
