"""Control characters in text a person or a script sends: one rule for the API and the pages.

A NUL makes PostgreSQL refuse the row (a 500 if it got that far), and no other C0 control character
(or DEL) belongs in a name, a reference or a note; tab, line feed and carriage return are text.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 and DEL, less tab, LF, CR
CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f]")  # for one-line fields: tab and line breaks too


def character_name(character: str) -> str:
    """``NUL`` or ``U+001B``: how a message names a control character."""
    return "NUL" if character == "\x00" else f"U+{ord(character):04X}"
