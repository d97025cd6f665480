"""Cashiering: locations, cash drawers, drawer sessions, payments, tenders, allocations, receipt
codes, drawer counts, day closes and bank deposits. Money is integer cents.

What the database itself guarantees:

* one open session per drawer and one per cashier (partial unique indexes);
* a payment's amount is positive, its idempotency key and receipt number are unique;
* a tender and an allocation are positive; change is given only on cash;
* one day close and one deposit per business date.

Receipt numbers are ``<session id>-<sequence>`` (``17-0003``): numbering locks only the cashier's
own session row, so two cashiers never wait for each other.

Payments are never deleted: a void marks the payment and posts a reversing journal entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicbill.core.utility_services import Fund, Service


class Location(models.Model):
    """A place where the city takes money (city hall counter, a second window)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CashDrawer(models.Model):
    """A physical cash drawer at a location."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="drawers")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DrawerSession(models.Model):
    """One cashier's use of one drawer on one business day: open → closed (counted) → approved."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        APPROVED = "approved", "Approved"

    drawer = models.ForeignKey(CashDrawer, on_delete=models.PROTECT, related_name="sessions")
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    starting_float_cents = models.BigIntegerField()
    opened_at = models.DateTimeField()
    # receipts are numbered S<session>-<sequence> (the session row is locked while one is taken)
    last_receipt_sequence = models.IntegerField(default=0)
    # the close: what the drawer should hold (float + cash taken - change) and what was counted
    closed_at = models.DateTimeField(null=True, blank=True)
    expected_cash_cents = models.BigIntegerField(null=True, blank=True)
    counted_cash_cents = models.BigIntegerField(null=True, blank=True)
    expected_checks_cents = models.BigIntegerField(null=True, blank=True)  # checks and money orders
    counted_checks_cents = models.BigIntegerField(null=True, blank=True)
    expected_card_cents = models.BigIntegerField(null=True, blank=True)
    counted_card_cents = models.BigIntegerField(null=True, blank=True)
    over_short_cents = models.BigIntegerField(null=True, blank=True)  # counted - expected (+ over, - short)
    over_short_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.CharField(max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["business_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["drawer"], condition=Q(status="open"), name="one_open_session_per_drawer"
            ),
            models.UniqueConstraint(
                fields=["cashier"], condition=Q(status="open"), name="one_open_session_per_cashier"
            ),
            models.CheckConstraint(condition=Q(starting_float_cents__gte=0), name="float_not_negative"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False, counted_cash_cents__isnull=False),
                name="closed_session_is_counted",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="approved_session_says_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drawer_id} {self.business_date} {self.status}"


class Channel(models.TextChoices):
    COUNTER = "counter", "Counter"
    LOCKBOX = "lockbox", "Lockbox"
    ONLINE = "online", "Online"
    ACH = "ach", "ACH"


class TenderKind(models.TextChoices):
    CASH = "cash", "Cash"
    CHECK = "check", "Check"
    MONEY_ORDER = "money_order", "Money order"
    CARD = "card", "Card"


class ReceiptCode(models.Model):
    """A kind of miscellaneous receipt (parking citation, business license ...) and its GL revenue account."""

    code = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=100)
    gl_account = models.ForeignKey("ledger.GLAccount", on_delete=models.PROTECT, related_name="+")
    fund = models.CharField(max_length=10, choices=Fund.choices)
    # e.g. the citation number for a parking citation
    reference_label = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Payment(models.Model):
    """Money received in one transaction: on one or several utility accounts, or a miscellaneous receipt."""

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        VOIDED = "voided", "Voided"

    receipt_number = models.CharField(max_length=20, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.COUNTER)
    session = models.ForeignKey(
        DrawerSession, on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    # the account paid when it is exactly one (null for a misc receipt or several accounts)
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    receipt_code = models.ForeignKey(
        ReceiptCode, on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    reference = models.CharField(max_length=60, blank=True)  # citation/license number of a misc receipt
    payer_name = models.CharField(max_length=120, blank=True)
    language = models.CharField(max_length=2, default="en")  # the receipt's
    amount_cents = models.BigIntegerField()
    change_cents = models.BigIntegerField(default=0)
    idempotency_key = models.CharField(max_length=200, unique=True)
    # SHA-256 of the request taken with the key (payments.idempotency); a retry must match it.
    # db_default: the bulk writers (COPY) that name their columns leave it blank
    request_sha256 = models.CharField(max_length=64, blank=True, db_default="")
    # not stored: True on the instance a service returns for a retried request (nothing was posted)
    replayed = False
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.POSTED)
    business_date = models.DateField(db_index=True)
    received_at = models.DateTimeField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="payment"
    )
    # the void
    void_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(max_length=200, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    reprint_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["business_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(change_cents__gte=0), name="payment_change_not_negative"),
            models.CheckConstraint(
                condition=Q(status="posted")
                | Q(
                    void_entry__isnull=False,
                    void_approved_by__isnull=False,
                    voided_at__isnull=False,
                )
                & ~Q(void_reason=""),
                name="voided_payment_says_who_and_why",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="payments_session_status_idx")]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount_cents}"

    @property
    def is_void(self) -> bool:
        return self.status == self.Status.VOIDED


class Tender(models.Model):
    """How part of a payment was paid. Card tenders keep only a processor reference (no card data)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="tenders")
    kind = models.CharField(max_length=12, choices=TenderKind.choices)
    # what counts toward the payment (for cash: what was handed over minus the change)
    amount_cents = models.BigIntegerField()
    tendered_cents = models.BigIntegerField()  # what was handed over
    change_cents = models.BigIntegerField(default=0)
    check_number = models.CharField(max_length=20, blank=True)
    bank_name = models.CharField(max_length=60, blank=True)
    card_reference = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="tender_amount_positive"),
            models.CheckConstraint(condition=Q(change_cents__gte=0), name="tender_change_not_negative"),
            models.CheckConstraint(
                condition=Q(tendered_cents=models.F("amount_cents") + models.F("change_cents")),
                name="tender_change_is_tendered_minus_amount",
            ),
            models.CheckConstraint(condition=Q(kind="cash") | Q(change_cents=0), name="change_only_on_cash"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_cents}"


class AllocationKind(models.TextChoices):
    DEPOSIT = "deposit", "Deposit due"
    PENALTY = "penalty", "Penalty"
    CHARGE = "charge", "Charges"
    CREDIT = "credit", "Credit balance (overpayment)"
    MISC = "misc", "Miscellaneous receipt"


class PaymentAllocation(models.Model):
    """The share of a payment credited to one account's service (so each fund gets its share), or
    to a misc receipt's revenue account."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    service = models.CharField(max_length=12, choices=Service.choices, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=AllocationKind.choices)
    fund = models.CharField(max_length=10, choices=Fund.choices)
    gl_code = models.CharField(max_length=20)  # the account credited
    amount_cents = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(account__isnull=True, service__isnull=True)
                | Q(account__isnull=False, service__isnull=False),
                name="allocation_names_account_and_service_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gl_code} {self.amount_cents}"


class DrawerCount(models.Model):
    """One line of a drawer count: so many of a cash denomination, or the total of a non-cash tender."""

    session = models.ForeignKey(DrawerSession, on_delete=models.PROTECT, related_name="counts")
    kind = models.CharField(max_length=12, choices=TenderKind.choices)
    denomination_cents = models.IntegerField(null=True, blank=True)  # cash only
    quantity = models.IntegerField()
    amount_cents = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="count_quantity_not_negative"),
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="count_amount_not_negative"),
            models.UniqueConstraint(fields=["session", "kind", "denomination_cents"], name="one_count_line"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.denomination_cents or ''} x{self.quantity} = {self.amount_cents}"


class DayClose(models.Model):
    """A closed business day. It cannot be reopened: corrections go to the next day."""

    business_date = models.DateField(unique=True)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    payment_count = models.IntegerField()
    void_count = models.IntegerField()
    receipts_cents = models.BigIntegerField()  # posted (non-void) payments
    over_short_cents = models.BigIntegerField()
    # {"by_tender": {...}, "by_receipt_code": {...}, "by_fund": {...}, "sessions": [...]} in cents
    totals = models.JSONField(default=dict)

    class Meta:
        ordering = ["business_date"]

    def __str__(self) -> str:
        return f"day {self.business_date}"


class Deposit(models.Model):
    """The bank deposit of a closed day (cash + checks/money orders) and its journal entry."""

    day_close = models.OneToOneField(DayClose, on_delete=models.PROTECT, related_name="deposit")
    business_date = models.DateField(unique=True)
    slip_number = models.CharField(max_length=20, unique=True)
    cash_cents = models.BigIntegerField()
    checks_cents = models.BigIntegerField()  # checks and money orders
    check_count = models.IntegerField()
    card_cents = models.BigIntegerField()  # settled by the card processor, not on the slip
    total_cents = models.BigIntegerField()  # cash + checks (the slip)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["business_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cents=models.F("cash_cents") + models.F("checks_cents")),
                name="deposit_total_is_cash_plus_checks",
            )
        ]

    def __str__(self) -> str:
        return f"deposit {self.slip_number}"


# -- payments from other channels (lockbox, online/IVR), suspense, returned checks, refunds -------------
class PaymentImport(models.Model):
    """One imported remittance file (lockbox or online). A file sent again is refused: the same bytes
    (``file_sha256``), the same records with other line endings or blanks (``content_sha256``, the
    normalised content; :func:`civicbill.core.textfiles.content_fingerprint`), or the same lockbox
    batch (``batch_reference`` and ``deposit_date``, checked by the import service)."""

    class Format(models.TextChoices):
        LOCKBOX_CSV = "lockbox-csv", "Lockbox CSV"
        LOCKBOX_FIXED = "lockbox-fixed", "Lockbox fixed-width"
        ONLINE_CSV = "online-csv", "Online/IVR CSV"

    file_sha256 = models.CharField(max_length=64, unique=True)
    # SHA-256 of the normalised content (blank for files imported before it was recorded)
    content_sha256 = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=16, choices=Format.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    batch_reference = models.CharField(max_length=40, blank=True)  # the header's lockbox/batch id
    processor = models.CharField(max_length=40, blank=True)  # online files: whose confirmations
    deposit_date = models.DateField()
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    detail_count = models.IntegerField()  # detail records in the file (= the trailer's count)
    total_cents = models.BigIntegerField()  # the trailer's total
    posted_count = models.IntegerField()
    posted_cents = models.BigIntegerField()
    suspense_count = models.IntegerField()
    suspense_cents = models.BigIntegerField()
    error_count = models.IntegerField()
    errors = models.JSONField(default=list)  # [{"line": 7, "reason": "..."}]

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_sha256"], condition=~Q(content_sha256=""), name="one_import_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_format} {self.file_name} ({self.deposit_date})"


class ProcessorConfirmation(models.Model):
    """A payment processor's confirmation number, once posted (as a payment or to suspense): the same
    confirmation from the same processor is never posted twice, whatever file it comes in."""

    processor = models.CharField(max_length=40)
    confirmation = models.CharField(max_length=40)
    payment_import = models.ForeignKey(PaymentImport, on_delete=models.PROTECT, related_name="+")
    line_number = models.IntegerField()
    posted_on = models.DateField()  # the payment's date (the day the processor settled)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["processor", "confirmation"], name="one_posting_per_processor_confirmation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.processor} {self.confirmation}"


class ChannelPayment(models.Model):
    """The remittance details of a payment that came in a file (lockbox/online): where it came from."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="channel_detail")
    payment_import = models.ForeignKey(
        PaymentImport, on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    line_number = models.IntegerField(null=True, blank=True)
    scan_line = models.CharField(max_length=40, blank=True)
    check_number = models.CharField(max_length=20, blank=True)
    reference = models.CharField(max_length=40, blank=True)  # online confirmation number
    method = models.CharField(max_length=8, blank=True)  # online: card / ach / ivr (when recorded)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.payment_id} line {self.line_number}"


class SuspenseItem(models.Model):
    """Money received that could not be matched to an account with confidence (unapplied cash,
    held in 100-2900 until staff apply it to an account)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPLIED = "applied", "Applied"

    class Reason(models.TextChoices):
        NO_IDENTIFIER = "no_identifier", "No scan line or account number"
        BAD_SCAN_LINE = "bad_scan_line", "Scan line not accepted (check digit)"
        UNKNOWN_ACCOUNT = "unknown_account", "No such account"
        CLOSED_ACCOUNT = "closed_account", "Account closed"
        MISMATCH = "mismatch", "Scan line and account number disagree"
        AMOUNT_DOUBTFUL = "amount_doubtful", "Amount far above the amount due"

    payment_import = models.ForeignKey(
        PaymentImport, on_delete=models.PROTECT, related_name="suspense_items", null=True, blank=True
    )
    line_number = models.IntegerField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    deposit_date = models.DateField()
    amount_cents = models.BigIntegerField()
    scan_line = models.CharField(max_length=40, blank=True)
    account_number_text = models.CharField(max_length=20, blank=True)  # as the file had it
    check_number = models.CharField(max_length=20, blank=True)
    reference = models.CharField(max_length=40, blank=True)
    payer_name = models.CharField(max_length=120, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    # the resolution: a payment on the account (its entry moves the money out of suspense)
    applied_payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="suspense_item"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["deposit_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="suspense_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(applied_payment__isnull=False, applied_by__isnull=False, applied_at__isnull=False),
                name="applied_suspense_says_where_and_who",
            ),
        ]

    def __str__(self) -> str:
        return f"suspense {self.pk} {self.amount_cents} {self.status}"


class ReturnedItemFee(models.Model):
    """The returned-item (NSF) fee schedule: the fee in effect from a date."""

    effective_from = models.DateField(unique=True)
    amount_cents = models.BigIntegerField()

    class Meta:
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="returned_item_fee_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.effective_from} {self.amount_cents}"


class ReturnedItem(models.Model):
    """A payment the bank returned (NSF check, ACH return): reversed, with a fee."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="returned_item")
    reason = models.CharField(max_length=200)
    returned_on = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reversal_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    fee_cents = models.BigIntegerField(default=0)
    fee_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["returned_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_cents=0, fee_entry__isnull=True)
                | Q(fee_cents__gt=0, fee_entry__isnull=False),
                name="returned_item_fee_has_entry",
            )
        ]

    def __str__(self) -> str:
        return f"returned {self.payment_id}"


class PaymentTransfer(models.Model):
    """A payment posted to the wrong account, moved to the right one on a later day: the payment's
    entry is reversed (dated the day of the transfer) and an entry applies the same money to the
    right account (the same debits, the target's receivables credited in the payment order, funds
    squared through due to / due from other funds). The payment keeps its receipt; this row is the
    pointer from it to the move. Once per payment."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="transfer")
    from_account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+")
    to_account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="payment_transfers_in"
    )
    amount_cents = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    business_date = models.DateField()
    transferred_at = models.DateTimeField()
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reversal_entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["business_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(from_account=models.F("to_account")), name="payment_transfer_moves_the_payment"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="payment_transfer_says_why"),
        ]

    def __str__(self) -> str:
        return f"transfer of {self.payment_id} to {self.to_account_id}"


class Refund(models.Model):
    """A refund of an account's credit balance: requested, approved by a supervisor (posted as a
    refund payable), then exported to the city's accounts payable."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.BigIntegerField()
    payee_name = models.CharField(max_length=120)
    mailing_address = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ap_exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(entry__isnull=False, decided_by__isnull=False),
                name="approved_refund_is_posted",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.pk} {self.amount_cents} {self.status}"
