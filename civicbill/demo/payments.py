"""The demo city's payment history, made through the real payment services.

After each month's bill runs are committed, :meth:`DemoPayments.pay_month` pays that month's bills
as :mod:`civicbill.demo.payment_plan` plans it, one business day after another (the utility's
calendar), with the services the staff, the bank and the card processor use:

* the card processor's ``online-csv`` file and the bank's ``lockbox-fixed`` file of the day, imported
  with ``payment_file_import`` (set-based); a misread stub, a check without its stub or a mistyped
  account number lands in the suspense queue, and staff apply the older ones to their account;
* the City Hall counter: two cashiers open drawer sessions (window 1, and window 2 on busier days)
  with a counted float, take the day's payments (cash with change, checks, money orders, card
  references, now and then a split tender or a parking citation, once a month a payment posted to
  the wrong account and voided with the supervisor's approval), count and close their drawers (now
  and then a little over or short); the supervisor approves each close and closes the day, which
  records the bank deposit;
* checks the bank returns unpaid (NSF), with the returned-item fee; overpayments left in credit;
  in the newest month a bill paid twice, whose credit one customer has had refunded (approved) and
  another has asked for (awaiting a supervisor).

Accounts in ``autopay_account_ids`` are left to the ACH autopay demo. Every date lies in a month's
payment window before the day the demo is built, and each service call is replayed at its own time
(:func:`civicbill.core.clock.replaying`), so journal, audit and note times are the payment's; the
newest bills are partly unpaid, so the counter has balances to take. The same seed gives the same
history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db.models import Count, Sum

from civicbill.billing.models import Bill
from civicbill.core import clock
from civicbill.core.money import Money
from civicbill.core.permissions import CSR, SUPERVISOR, TECHNICIAN
from civicbill.customers.models import Account, Customer
from civicbill.demo.payment_plan import (
    COUNTER,
    LOCKBOX,
    ONLINE,
    BillDue,
    Habit,
    MonthPlan,
    PlannedMiscReceipt,
    PlannedPayment,
    cash_count,
    habit_for,
    lockbox_fixed_file,
    online_csv_file,
    plan_month,
)
from civicbill.ledger import selectors as ledger_selectors
from civicbill.payments import selectors as payment_selectors
from civicbill.payments.models import (
    CashDrawer,
    Channel,
    DayClose,
    Deposit,
    DrawerSession,
    Payment,
    PaymentImport,
    Refund,
    ReturnedItem,
    SuspenseItem,
)
from civicbill.payments.services import (
    AccountAmount,
    CountLine,
    day_close,
    drawer_create,
    drawer_session_approve,
    drawer_session_close,
    drawer_session_open,
    misc_receipt_take,
    payment_file_import,
    payment_return,
    payment_take,
    payment_void,
    refund_approve,
    refund_request,
    suspense_apply,
)
from civicbill.payments.services.lockbox import RECEIPT_PREFIX
from civicbill.payments.tenders import CARD, CASH, CHECK, MONEY_ORDER

# the people in the history (they cannot sign in; the demo's sign-ins come from `demo-users`)
CASHIERS = (("marisol.flores", "Marisol", "Flores"), ("jason.tran", "Jason", "Tran"))
TECHNICIAN_USER = ("beatriz.vargas", "Beatriz", "Vargas")  # imports, returned checks, suspense
SUPERVISOR_USER = ("lucia.pena", "Lucía", "Peña")  # approves closes, voids and refunds; closes days
LOCATION = ("CH", "City Hall counter")
DRAWERS = (("CH-1", "Window 1"), ("CH-2", "Window 2"))
STARTING_FLOAT_CENTS = 15_000
TWO_WINDOWS_FROM = 6  # counter transactions in a day from which window 2 opens too
OVER_SHORT_SHARE = 0.05
OVER_SHORT_CENTS = (-500, -100, -25, -10, -1, 1, 5, 50, 100)
IMPORT_FORMAT = {LOCKBOX: PaymentImport.Format.LOCKBOX_FIXED, ONLINE: PaymentImport.Format.ONLINE_CSV}


@dataclass(frozen=True)
class PaymentHistory:
    """What the demo's payment history holds (counted from the database)."""

    payments: int  # on utility accounts, every channel (suspense applications included)
    counter: int
    lockbox: int
    online: int
    misc_receipts: int
    voided: int
    drawer_sessions: int
    closed_days: int
    deposits_cents: int
    payment_files: int
    suspense_items: int
    suspense_open: int
    returned_checks: int
    accounts_in_credit: int
    refunds_approved: int
    refunds_requested: int
    autopay: int = 0  # ACH debits drafted by the autopay demo (civicbill.autopay.demo)


def _staff_user(username: str, first: str, last: str, role: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "date_joined": clock.now()}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An instant of ``day`` in the utility's time zone."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.utility_zone())


class DemoPayments:
    """The payment history of the demo city, built one month of bills at a time."""

    def __init__(self, *, seed: int, autopay_account_ids: Collection[int] = frozenset()) -> None:
        self.seed = seed
        self.autopay_account_ids = frozenset(autopay_account_ids)
        self.cashiers = [_staff_user(*names, CSR) for names in CASHIERS]
        self.technician = _staff_user(*TECHNICIAN_USER, TECHNICIAN)
        self.supervisor = _staff_user(*SUPERVISOR_USER, SUPERVISOR)
        self.drawers = [self._drawer(code, name) for code, name in DRAWERS]
        self.calendar = clock.business_calendar()
        self.habits: dict[int, Habit] = {}
        self.receipts: dict[str, str] = {}  # plan key -> receipt number
        self.in_suspense: dict[str, tuple[int, int]] = {}  # plan key -> (import, line)
        self.pending_refunds: dict[int, Refund] = {}  # account -> refund awaiting approval
        self.months = 0

    def _drawer(self, code: str, name: str) -> CashDrawer:
        existing = CashDrawer.objects.filter(code=code).first()
        if existing is not None:
            return existing
        return drawer_create(
            location_code=LOCATION[0], location_name=LOCATION[1], code=code, name=name, actor=self.supervisor
        )

    # -- one month -------------------------------------------------------------------------------------
    def pay_month(self, *, run_ids: Sequence[int], pay_until: dt.date, newest: bool = False) -> int:
        """Pay the bills of ``run_ids`` from the day after their bill date up to ``pay_until``
        (the day before the next bill date, or before the demo is built). Returns the payments made."""
        bills = self._bills(run_ids)
        self.months += 1
        if not bills:
            return 0
        for bill in bills:
            if bill.account_id not in self.habits:
                self.habits[bill.account_id] = habit_for(account_number=bill.account_number, seed=self.seed)
        rng = random.Random(f"demo-payments:{self.seed}:{self.months}")  # noqa: S311 - synthetic demo data
        plan = plan_month(
            bills=bills,
            habit_of=self.habits,
            rng=rng,
            calendar=self.calendar,
            pay_from=min(bill.bill_date for bill in bills) + dt.timedelta(days=1),
            pay_until=pay_until,
            month_index=self.months - 1,
            newest=newest,
        )
        self._carry_out(plan, random.Random(f"demo-drawers:{self.seed}:{self.months}"))  # noqa: S311
        return len(plan.payments)

    def _bills(self, run_ids: Sequence[int]) -> list[BillDue]:
        rows = (
            Bill.objects.filter(run_id__in=run_ids, status=Bill.Status.ISSUED)
            .order_by("number")
            .values_list(
                "number",
                "account_id",
                "account__number",
                "account__customer__kind",
                "account__customer__first_name",
                "account__customer__last_name",
                "account__customer__business_name",
                "bill_date",
                "due_date",
                "total_due_cents",
            )
        )
        bills = []
        for number, account_id, account_number, kind, first, last, business, billed, due, total_due in rows:
            if account_id in self.autopay_account_ids:
                continue
            payer = business if kind == Customer.Kind.BUSINESS else f"{first} {last}".strip()
            bills.append(BillDue(number, account_id, account_number, payer, billed, due, total_due))
        return bills

    def _carry_out(self, plan: MonthPlan, drawer_rng: random.Random) -> None:
        payments: dict[tuple[dt.date, str], list[PlannedPayment]] = defaultdict(list)
        for payment in plan.payments:
            payments[(payment.day, payment.channel)].append(payment)
        misc: dict[dt.date, list[PlannedMiscReceipt]] = defaultdict(list)
        for receipt in plan.misc_receipts:
            misc[receipt.day].append(receipt)
        for day in plan.days:  # each service call is its own transaction, as at the office
            for channel in (ONLINE, LOCKBOX):
                if payments[(day, channel)]:
                    self._import_file(day, channel, payments[(day, channel)])
            if payments[(day, COUNTER)] or misc[day]:
                self._counter_day(day, payments[(day, COUNTER)], misc[day], drawer_rng)
            self._back_office(plan, day)

    def _back_office(self, plan: MonthPlan, day: dt.date) -> None:
        """The day's returned checks, suspense items applied and refunds."""
        for returned in plan.returns:
            if returned.day == day:
                with clock.replaying(_at(day, 11)) as at:
                    payment_return(
                        payment=Payment.objects.get(receipt_number=self.receipts[returned.key]),
                        reason=returned.reason,
                        as_of=at,
                        actor=self.technician,
                    )
        for fix in plan.suspense_fixes:
            if fix.day == day:
                import_id, line = self.in_suspense.pop(fix.key)
                with clock.replaying(_at(day, 14)) as at:
                    suspense_apply(
                        item=SuspenseItem.objects.get(payment_import_id=import_id, line_number=line),
                        account=Account.objects.get(pk=fix.account_id),
                        as_of=at,
                        actor=self.technician,
                        note=fix.note,
                    )
        for refund in plan.refunds:
            self._refund(day, refund.account_id, refund.requested_on, refund.approved_on, refund.reason)

    # -- files from the bank and the card processor ----------------------------------------------------
    def _import_file(self, day: dt.date, channel: str, payments: list[PlannedPayment]) -> None:
        if channel == LOCKBOX:
            content, name, at = lockbox_fixed_file(day=day, payments=payments), f"lockbox-{day:%Y%m%d}.txt", 7
        else:
            content, name, at = online_csv_file(day=day, payments=payments), f"online-{day:%Y%m%d}.csv", 6
        with clock.replaying(_at(day, at, 30)) as imported_at:
            result = payment_file_import(
                content=content,
                file_name=name,
                file_format=IMPORT_FORMAT[channel],
                as_of=imported_at,
                actor=self.technician,
            )
        record = result.payment_import
        held = sum(1 for payment in payments if payment.defect)
        if record.error_count or record.suspense_count != held:
            raise RuntimeError(f"demo payment file {name} did not import as planned: {result.as_dict()}")
        prefix = f"{RECEIPT_PREFIX[Channel(channel)]}{record.pk}-"
        for index, payment in enumerate(payments):
            line = index + 2  # after the header
            if payment.defect:
                self.in_suspense[payment.key] = (record.pk, line)
            else:
                self.receipts[payment.key] = f"{prefix}{line}"

    # -- the counter -----------------------------------------------------------------------------------
    def _counter_day(
        self,
        day: dt.date,
        payments: list[PlannedPayment],
        misc: list[PlannedMiscReceipt],
        rng: random.Random,
    ) -> None:
        items: list[PlannedPayment | PlannedMiscReceipt] = sorted(
            [*payments, *misc], key=lambda item: (item.minute, item.key)
        )
        if len(items) >= TWO_WINDOWS_FROM:
            cashiers = self.cashiers
        else:  # one window, the cashiers taking turns
            cashiers = [self.cashiers[day.toordinal() % len(self.cashiers)]]
        with clock.replaying(_at(day, 7, 55)) as opened_at:
            sessions = [
                drawer_session_open(
                    drawer=drawer,
                    starting_float=Money.from_cents(STARTING_FLOAT_CENTS),
                    as_of=opened_at,
                    actor=cashier,
                )
                for drawer, cashier in zip(self.drawers, cashiers, strict=False)
            ]
        accounts = Account.objects.in_bulk(
            {p.bill.account_id for p in payments}
            | {p.wrong_account_id for p in payments if p.wrong_account_id}
        )
        tender_counts: list[Counter[str]] = [Counter() for _ in sessions]
        for number, item in enumerate(items):
            slot = number % len(sessions)
            session, cashier = sessions[slot], cashiers[slot]
            at = _at(day, 8) + dt.timedelta(minutes=item.minute)
            tender_counts[slot].update(tender.kind for tender in item.tenders)
            if isinstance(item, PlannedMiscReceipt):
                with clock.replaying(at):
                    misc_receipt_take(
                        session=session,
                        receipt_code=item.receipt_code,
                        amount=Money.from_cents(item.amount_cents),
                        tenders=item.tenders,
                        idempotency_key=item.key,
                        as_of=at,
                        actor=cashier,
                        reference=item.reference,
                        payer_name=item.payer_name,
                    )
                continue
            amount = Money.from_cents(item.amount_cents)
            if item.wrong_account_id is not None:
                with clock.replaying(at):
                    wrong = payment_take(
                        session=session,
                        accounts=[AccountAmount(accounts[item.wrong_account_id], amount)],
                        tenders=item.tenders,
                        idempotency_key=f"{item.key}:wrong-account",
                        as_of=at,
                        actor=cashier,
                        payer_name=item.bill.payer_name,
                    )
                with clock.replaying(at + dt.timedelta(minutes=2)) as voided_at:
                    payment_void(
                        payment=wrong,
                        reason="Posted to the wrong account; taken again on the right one",
                        approved_by=self.supervisor,
                        as_of=voided_at,
                        actor=cashier,
                    )
                at += dt.timedelta(minutes=3)
            with clock.replaying(at):
                taken = payment_take(
                    session=session,
                    accounts=[AccountAmount(accounts[item.bill.account_id], amount)],
                    tenders=item.tenders,
                    idempotency_key=item.key,
                    as_of=at,
                    actor=cashier,
                    payer_name=item.bill.payer_name,
                )
            self.receipts[item.key] = taken.receipt_number
        closed = [
            self._close_drawer(session, cashier, tender_counts[slot], day, rng)
            for slot, (session, cashier) in enumerate(zip(sessions, cashiers, strict=True))
        ]
        with clock.replaying(_at(day, 17, 20)) as approved_at:
            for session in closed:
                note = "Recounted with the cashier" if session.over_short_cents else ""
                drawer_session_approve(session=session, as_of=approved_at, actor=self.supervisor, note=note)
        with clock.replaying(_at(day, 17, 30)) as closed_at:
            day_close(business_date=day, as_of=closed_at, actor=self.supervisor)

    def _close_drawer(
        self,
        session: DrawerSession,
        cashier: User,
        quantities: Counter[str],
        day: dt.date,
        rng: random.Random,
    ) -> DrawerSession:
        """Count the drawer: the cash by denomination (now and then a little over or short), the
        checks, money orders and card slips as taken."""
        taken = payment_selectors.session_tender_totals(session)
        by_kind = dict(taken.by_kind)
        difference = rng.choice(OVER_SHORT_CENTS) if rng.random() < OVER_SHORT_SHARE else 0
        cash = max(session.starting_float_cents + taken.cash_cents + difference, 0)
        counts = [
            CountLine(CASH, quantity, denomination=Money.from_cents(denomination))
            for denomination, quantity in cash_count(cash)
        ]
        counts += [
            CountLine(kind, quantities[kind], amount=Money.from_cents(by_kind[kind]))
            for kind in (CHECK, MONEY_ORDER, CARD)
            if by_kind.get(kind)
        ]
        difference = cash - session.starting_float_cents - taken.cash_cents
        note = ""
        if difference:
            side = "short" if difference < 0 else "over"
            note = f"Cash {side} {Money.from_cents(abs(difference))} after two counts"
        with clock.replaying(_at(day, 17, 5)) as closed_at:
            return drawer_session_close(
                session=session, counts=counts, as_of=closed_at, actor=cashier, note=note
            )

    # -- refunds ---------------------------------------------------------------------------------------
    def _refund(
        self, day: dt.date, account_id: int, requested_on: dt.date, approved_on: dt.date | None, reason: str
    ) -> None:
        if day == requested_on:
            account = Account.objects.get(pk=account_id)
            credit = -ledger_selectors.account_balance(account).cents
            if credit > 0:
                with clock.replaying(_at(day, 15)) as requested_at:
                    self.pending_refunds[account_id] = refund_request(
                        account=account,
                        amount=Money.from_cents(credit),
                        reason=reason,
                        as_of=requested_at,
                        actor=self.cashiers[0],
                    )
        if day == approved_on and account_id in self.pending_refunds:
            with clock.replaying(_at(day, 9, 30)) as approved_at:
                refund_approve(
                    refund=self.pending_refunds.pop(account_id),
                    as_of=approved_at,
                    actor=self.supervisor,
                    note="Both payments cleared the bank",
                )

    # -- what was made ---------------------------------------------------------------------------------
    def result(self) -> PaymentHistory:
        posted = Payment.objects.filter(status=Payment.Status.POSTED)
        by_channel = dict(
            posted.filter(receipt_code__isnull=True).values_list("channel").annotate(n=Count("id")).order_by()
        )
        account_ids = list(Account.objects.values_list("pk", flat=True))
        balances = ledger_selectors.account_balances(account_ids)
        refunds = dict(Refund.objects.values_list("status").annotate(n=Count("id")).order_by())
        return PaymentHistory(
            payments=sum(by_channel.values()),
            counter=by_channel.get(COUNTER, 0),
            lockbox=by_channel.get(LOCKBOX, 0),
            online=by_channel.get(ONLINE, 0),
            misc_receipts=posted.filter(receipt_code__isnull=False).count(),
            voided=Payment.objects.filter(status=Payment.Status.VOIDED).count(),
            drawer_sessions=DrawerSession.objects.count(),
            closed_days=DayClose.objects.count(),
            deposits_cents=int(Deposit.objects.aggregate(cents=Sum("total_cents"))["cents"] or 0),
            payment_files=PaymentImport.objects.count(),
            suspense_items=SuspenseItem.objects.count(),
            suspense_open=SuspenseItem.objects.filter(status=SuspenseItem.Status.OPEN).count(),
            returned_checks=ReturnedItem.objects.count(),
            accounts_in_credit=sum(1 for money in balances.values() if money.is_negative()),
            refunds_approved=refunds.get(Refund.Status.APPROVED, 0),
            refunds_requested=refunds.get(Refund.Status.REQUESTED, 0),
            autopay=by_channel.get("ach", 0),
        )
