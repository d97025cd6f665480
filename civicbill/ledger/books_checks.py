"""Checks of the books that higher contexts add to ``check-books`` (a registry; ADR 0016a).

The ledger sits below the contexts that derive reports from it (collections' aging), so it cannot
import them. A higher app registers its check once, from its ``AppConfig.ready()``::

    books_checks.register("aging_ties_receivable_control", aging_books_check)

and :func:`civicbill.ledger.selectors.check_books` runs every registered check after its own, in
registration order. A check is a function of no arguments returning a
:class:`civicbill.ledger.books.BookCheck`; one that raises is reported as a failed check naming the
error (the books are not declared in order when a check could not run).
"""

from __future__ import annotations

from collections.abc import Callable

from civicbill.ledger.books import BookCheck

BooksCheck = Callable[[], BookCheck]

_REGISTRY: dict[str, BooksCheck] = {}


def register(name: str, check: BooksCheck) -> None:
    """Add ``check`` under ``name``; registering the same name again replaces it (a reloaded app)."""
    _REGISTRY[name] = check


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered() -> list[tuple[str, BooksCheck]]:
    return list(_REGISTRY.items())


def run_registered() -> tuple[BookCheck, ...]:
    results: list[BookCheck] = []
    for name, check in _REGISTRY.items():
        try:
            results.append(check())
        except Exception as error:  # a check that cannot run is a failed check
            results.append(
                BookCheck(name, False, f"the check could not run: {type(error).__name__}: {error}")
            )
    return tuple(results)
