"""Cash drawers: set-up, opening a session with a counted float, closing it with a count, approval.

Expected at the close: cash = starting float + cash taken (net of change and voids); checks and
money orders, and cards, as taken. Over/short = counted - expected over all tenders; it posts
Dr/Cr 100-6100 Cash over/short against the General Fund's undeposited funds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from civicbill.core import clock
from civicbill.core.actors import Actor, acting_user
from civicbill.core.audit import audit_record
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.core.permissions import has_permission, require_permission
from civicbill.core.utility_services import Fund
from civicbill.ledger import chart
from civicbill.ledger.models import SourceType
from civicbill.ledger.posting import PostingLine
from civicbill.ledger.service_posting import entry_post_trusted
from civicbill.payments import locks, selectors
from civicbill.payments.models import CashDrawer, DrawerCount, DrawerSession, Location, TenderKind
from civicbill.payments.tenders import CASH_DENOMINATIONS_CENTS


@transaction.atomic
def drawer_create(
    *, location_code: str, location_name: str, code: str, name: str, actor: Actor
) -> CashDrawer:
    """Add a cash drawer (and its location if new)."""
    require_permission(actor, "payments.manage")
    if CashDrawer.objects.filter(code=code).exists():
        raise ApplicationError(f"There is already a drawer {code}", code="duplicate_drawer", field="code")
    location, _ = Location.objects.get_or_create(code=location_code, defaults={"name": location_name})
    drawer = CashDrawer.objects.create(location=location, code=code, name=name)
    audit_record(
        actor=actor,
        action="drawer.create",
        target=drawer,
        summary=f"Added drawer {code} at {location}",
        at=clock.now(),
    )
    return drawer


@transaction.atomic
def drawer_session_open(
    *, drawer: CashDrawer, starting_float: Money, as_of: dt.datetime, actor: Actor
) -> DrawerSession:
    """Open the actor's session on ``drawer`` with the float they counted. One open session per
    drawer and per cashier (the database refuses a second)."""
    require_permission(actor, "drawers.open")
    if starting_float.is_negative():
        raise ApplicationError(
            f"The starting float cannot be negative ({starting_float})", code="negative_float", field="float"
        )
    if not drawer.is_active:
        raise ApplicationError(f"Drawer {drawer.code} is not in use", code="drawer_inactive")
    business_date = clock.business_date(as_of)
    if selectors.day_is_closed(business_date):
        raise ApplicationError(f"Business day {business_date} is closed", code="day_closed")
    mine = selectors.open_session_of(actor)
    if mine is not None:
        raise ApplicationError(
            f"{actor.username} already has drawer session {mine.pk} open on drawer {mine.drawer.code}; "
            "close it first",
            code="cashier_has_open_session",
        )
    theirs = DrawerSession.objects.filter(drawer=drawer, status=DrawerSession.Status.OPEN).first()
    if theirs is not None:
        raise ApplicationError(
            f"Drawer {drawer.code} is already open (session {theirs.pk}, {theirs.cashier.username})",
            code="drawer_in_use",
        )
    try:
        with transaction.atomic():
            session = DrawerSession.objects.create(
                drawer=drawer,
                cashier=acting_user(actor),
                business_date=business_date,
                starting_float_cents=starting_float.cents,
                opened_at=as_of,
            )
    except IntegrityError:  # a concurrent open won the race
        raise ApplicationError(
            f"Drawer {drawer.code} or cashier {actor.username} already has an open session",
            code="drawer_in_use",
        ) from None
    audit_record(
        actor=actor,
        action="drawer_session.open",
        target=session,
        at=clock.now(),
        summary=f"Opened drawer {drawer.code} for {business_date} with a float of {starting_float}",
        changes={"drawer": drawer.code, "starting_float": str(starting_float)},
    )
    return session


@dataclass(frozen=True, slots=True)
class CountLine:
    """A line of the drawer count: ``quantity`` notes/coins of ``denomination`` (cash), or the
    ``quantity`` items and ``amount`` of a non-cash tender."""

    kind: str
    quantity: int
    denomination: Money | None = None
    amount: Money | None = None


def _count_rows(counts: Sequence[CountLine]) -> list[tuple[str, int | None, int, int]]:
    rows: list[tuple[str, int | None, int, int]] = []
    seen: set[tuple[str, int | None]] = set()
    for number, line in enumerate(counts, start=1):
        if line.kind not in TenderKind.values:
            raise ApplicationError(f"count line {number}: unknown tender {line.kind!r}", code="bad_count")
        if line.quantity < 0:
            raise ApplicationError(f"count line {number}: a quantity cannot be negative", code="bad_count")
        if line.kind == TenderKind.CASH:
            if line.denomination is None or line.denomination.cents not in CASH_DENOMINATIONS_CENTS:
                raise ApplicationError(
                    f"count line {number}: {line.denomination} is not a US note or coin", code="bad_count"
                )
            denomination: int | None = line.denomination.cents
            amount_cents = line.denomination.cents * line.quantity
        else:
            if line.amount is None or line.amount.is_negative():
                raise ApplicationError(
                    f"count line {number} ({line.kind}): give the total amount counted", code="bad_count"
                )
            denomination, amount_cents = None, line.amount.cents
        key = (line.kind, denomination)
        if key in seen:
            raise ApplicationError(f"count line {number}: {line.kind} counted twice", code="bad_count")
        seen.add(key)
        rows.append((line.kind, denomination, line.quantity, amount_cents))
    return rows


@transaction.atomic
def drawer_session_close(
    *, session: DrawerSession, counts: Sequence[CountLine], as_of: dt.datetime, actor: Actor, note: str = ""
) -> DrawerSession:
    """Count the drawer and close the session: expected vs counted by tender; a difference posts to
    cash over/short. A closed session takes no more payments."""
    require_permission(actor, "drawers.close")
    locked = locks.lock_session(session.pk)
    if locked.status != DrawerSession.Status.OPEN:
        raise ApplicationError(
            f"Drawer session {locked.pk} is already {locked.status}", code="session_not_open"
        )
    if locked.cashier_id != actor.pk and not has_permission(actor, "drawers.approve"):
        raise ApplicationError(
            f"Drawer session {locked.pk} is {locked.cashier.username}'s; only they or a supervisor close it",
            code="not_your_session",
        )
    rows = _count_rows(counts)
    taken = selectors.session_tender_totals(locked)
    counted = {"cash": 0, "check": 0, "card": 0}
    for kind, _, _, cents in rows:
        counted["check" if kind in (TenderKind.CHECK, TenderKind.MONEY_ORDER) else kind] += cents
    expected = {
        "cash": locked.starting_float_cents + taken.cash_cents,
        "check": taken.check_cents,
        "card": taken.card_cents,
    }
    over_short = sum(counted.values()) - sum(expected.values())
    DrawerCount.objects.bulk_create(
        DrawerCount(session=locked, kind=kind, denomination_cents=d, quantity=q, amount_cents=cents)
        for kind, d, q, cents in rows
    )
    if over_short:
        amount = Money.from_cents(abs(over_short))
        side = "over" if over_short > 0 else "short"
        undeposited = chart.undeposited_funds_for(Fund.GENERAL).code
        if over_short < 0:  # short: an expense, less money to deposit
            lines = [
                PostingLine.debit(chart.CASH_OVER_SHORT, amount),
                PostingLine.credit(undeposited, amount),
            ]
        else:
            lines = [
                PostingLine.debit(undeposited, amount),
                PostingLine.credit(chart.CASH_OVER_SHORT, amount),
            ]
        locked.over_short_entry = entry_post_trusted(
            lines=lines,
            accounting_date=locked.business_date,
            source_type=SourceType.DRAWER,
            source_ref=f"session {locked.pk}",
            idempotency_key=f"drawer-session:{locked.pk}:over-short",
            reason=f"cash_{side}",
            memo=f"Drawer {locked.drawer.code} {locked.business_date} {side}",
            posted_by=actor,
        )
    locked.status = DrawerSession.Status.CLOSED
    locked.closed_at = as_of
    locked.expected_cash_cents, locked.counted_cash_cents = expected["cash"], counted["cash"]
    locked.expected_checks_cents, locked.counted_checks_cents = expected["check"], counted["check"]
    locked.expected_card_cents, locked.counted_card_cents = expected["card"], counted["card"]
    locked.over_short_cents = over_short
    locked.close_note = note[:300]
    locked.save()
    audit_record(
        actor=actor,
        action="drawer_session.close",
        target=locked,
        at=clock.now(),
        summary=f"Closed drawer {locked.drawer.code} {locked.business_date}: expected "
        f"{Money.from_cents(sum(expected.values()))}, counted {Money.from_cents(sum(counted.values()))}, "
        f"over/short {Money.from_cents(over_short)}",
        changes={"expected": expected, "counted": counted, "over_short_cents": over_short},
    )
    return locked


@transaction.atomic
def drawer_session_approve(
    *, session: DrawerSession, as_of: dt.datetime, actor: Actor, note: str = ""
) -> DrawerSession:
    """A supervisor (not the session's own cashier) reviews the close and approves it."""
    require_permission(actor, "drawers.approve")
    locked = locks.lock_session(session.pk)
    if locked.status != DrawerSession.Status.CLOSED:
        raise ApplicationError(
            f"Drawer session {locked.pk} is {locked.status}; only a closed session is approved",
            code="session_not_closed",
        )
    if locked.cashier_id == actor.pk:
        raise ApplicationError("A cashier cannot approve their own drawer close", code="own_session")
    locked.status = DrawerSession.Status.APPROVED
    locked.approved_by = acting_user(actor)
    locked.approved_at = as_of
    locked.approval_note = note[:300]
    locked.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    audit_record(
        actor=actor,
        action="drawer_session.approve",
        target=locked,
        at=clock.now(),
        summary=f"Approved drawer {locked.drawer.code} {locked.business_date} "
        f"(over/short {Money.from_cents(locked.over_short_cents or 0)})",
    )
    return locked
