"""What makes two requests with one idempotency key "the same request". Pure.

A client that retries (a timeout, a double click) sends the same key and the same request: it gets
the payment already taken and nothing posts twice. A key sent again with a *different* request
(another split, tender, amount, payer, reference ...) is a client bug: refused, never silently
answered with the first payment. The fingerprint is the SHA-256 of the canonical JSON (sorted keys,
no spaces) of the request's meaningful fields; it is stored with the key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def request_fingerprint(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of ``fields`` as canonical JSON; equal fields give equal fingerprints."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
