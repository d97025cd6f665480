"""Long lists of values cut into consecutive slices, for queries with an ``IN`` list each (SQLite
limits a statement's parameters; PostgreSQL parses a statement with tens of thousands slowly)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db import connection

T = TypeVar("T")

MAX_IN_LIST = 10_000


def slices(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of ``size`` (the last one may be shorter)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def in_list_slices(values: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """Slices of ``values`` small enough for one IN list on this database (with room for a few more
    parameters), or of ``size``."""
    return slices(values, size or min(connection.features.max_query_params or MAX_IN_LIST, MAX_IN_LIST) - 50)
