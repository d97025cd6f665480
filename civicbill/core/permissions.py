"""Roles and what each may do.

Roles are Django groups with these exact names. What a role may do is this matrix, in code,
reviewed like code (docs/permissions.md is generated from it). Every service calls
:func:`require_permission` with its actor, so a permission holds whether the request came from a
page, the API, the CLI or a task.
"""

from __future__ import annotations

from civicbill.core.actors import Actor
from civicbill.core.exceptions import PermissionDeniedError

CSR = "CSR"
TECHNICIAN = "Technician"
SUPERVISOR = "Supervisor"
FIELD = "Field"
AUDITOR = "Auditor"
ADMIN = "Admin"
ROLES = (CSR, TECHNICIAN, SUPERVISOR, FIELD, AUDITOR, ADMIN)

# permission code -> (description, roles that hold it). Admin holds every permission.
PERMISSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "customers.view": (
        "Look up customers, accounts and their history",
        (CSR, TECHNICIAN, SUPERVISOR, FIELD, AUDITOR),
    ),
    "customers.edit": ("Create and change customers, premises and accounts", (CSR, TECHNICIAN, SUPERVISOR)),
    "customers.move_in": ("Open an account and start service (move-in)", (CSR, TECHNICIAN, SUPERVISOR)),
    "customers.move_out": ("Close an account and stop service (move-out)", (CSR, TECHNICIAN, SUPERVISOR)),
    "customers.transfer": ("Transfer a customer to a new premise", (CSR, TECHNICIAN, SUPERVISOR)),
    "customers.note": (
        "Add notes and log calls, visits, mail and email",
        (CSR, TECHNICIAN, SUPERVISOR, FIELD),
    ),
    "ledger.view": (
        "Read balances, journal entries and the trial balance",
        (CSR, TECHNICIAN, SUPERVISOR, AUDITOR),
    ),
    "ledger.post": ("Post journal entries (conversion balances, corrections)", (TECHNICIAN, SUPERVISOR)),
    "ledger.reverse": ("Reverse a posted journal entry", (SUPERVISOR,)),
    "ledger.close_period": ("Close an accounting month", (SUPERVISOR,)),
    "meters.view": (
        "Look up meters, service points, installations and reads",
        (CSR, TECHNICIAN, SUPERVISOR, FIELD, AUDITOR),
    ),
    "meters.manage": (
        "Receive, install, remove, exchange and test meters",
        (TECHNICIAN, SUPERVISOR, FIELD),
    ),
    "reads.enter": ("Enter and import meter reads", (CSR, TECHNICIAN, SUPERVISOR, FIELD)),
    "reads.review": (
        "Review read exceptions: accept, correct, reject or send a re-read",
        (TECHNICIAN, SUPERVISOR),
    ),
    "workorders.view": ("Look up field work orders", (CSR, TECHNICIAN, SUPERVISOR, FIELD, AUDITOR)),
    "workorders.manage": ("Create, assign and cancel work orders", (CSR, TECHNICIAN, SUPERVISOR)),
    "workorders.complete": ("Complete work orders in the field", (TECHNICIAN, SUPERVISOR, FIELD)),
    "rates.view": ("Read rate schedules and quote a bill", (CSR, TECHNICIAN, SUPERVISOR, AUDITOR)),
    "rates.manage": ("Load rate schedules and add a new version", (SUPERVISOR,)),
    "bills.view": (
        "Read bills, bill documents and bill explanations",
        (CSR, TECHNICIAN, SUPERVISOR, AUDITOR),
    ),
    "billing.run": ("Start and review billing runs (trial)", (TECHNICIAN, SUPERVISOR)),
    "billing.commit": ("Commit a billing run: issue bills and post them", (TECHNICIAN, SUPERVISOR)),
    "billing.final_bill": ("Issue an off-cycle final bill at move-out", (CSR, TECHNICIAN, SUPERVISOR)),
    "billing.cancel_rebill": ("Cancel an issued bill and issue a corrected one", (TECHNICIAN, SUPERVISOR)),
    "audit.view": ("See the audit trail", (TECHNICIAN, SUPERVISOR, AUDITOR)),
    "tasks.view": ("See background job progress", (CSR, TECHNICIAN, SUPERVISOR, FIELD, AUDITOR)),
    "admin.users": ("Manage staff users and roles", ()),
    "admin.calendar": ("Record office closures", (SUPERVISOR,)),
    "payments.view": (
        "Look up payments, receipts, drawer sessions and day closes",
        (CSR, TECHNICIAN, SUPERVISOR, AUDITOR),
    ),
    "payments.take": ("Take payments at the counter and print receipts", (CSR, SUPERVISOR)),
    "payments.void_approve": ("Approve voiding a same-day payment", (SUPERVISOR,)),
    "misc_receipts.take": (
        "Take miscellaneous receipts (citations, licenses, permits, fees)",
        (CSR, SUPERVISOR),
    ),
    "drawers.open": ("Open a cash drawer session with a counted starting float", (CSR, SUPERVISOR)),
    "drawers.close": ("Count and close a cash drawer session", (CSR, SUPERVISOR)),
    "drawers.approve": ("Review and approve a closed drawer session", (SUPERVISOR,)),
    "day.close": ("Close the business day and prepare the bank deposit", (SUPERVISOR,)),
    "payments.manage": ("Set up locations, cash drawers and receipt codes", (SUPERVISOR,)),
    "payments.import": ("Import lockbox and online payment files", (TECHNICIAN, SUPERVISOR)),
    "payments.suspense": ("Apply unmatched (suspense) payments to accounts", (CSR, TECHNICIAN, SUPERVISOR)),
    "payments.return": ("Record a returned check or payment (NSF) and its fee", (TECHNICIAN, SUPERVISOR)),
    "payments.transfer": (
        "Move a payment posted to the wrong account onto the right one",
        (TECHNICIAN, SUPERVISOR),
    ),
    "refunds.request": ("Request a refund of an account's credit balance", (CSR, TECHNICIAN, SUPERVISOR)),
    "deposits.charge": ("Charge a service deposit to an account", (CSR, TECHNICIAN, SUPERVISOR)),
    "refunds.approve": ("Approve or reject a refund and export refunds to accounts payable", (SUPERVISOR,)),
    "ledger.export": ("Export the day's journal to the city's financial system (GL export)", (SUPERVISOR,)),
    "autopay.view": (
        "See autopay enrollments, ACH draft files, returns and their reports",
        (CSR, TECHNICIAN, SUPERVISOR, AUDITOR),
    ),
    "autopay.enroll": (
        "Enroll an account in autopay, change its bank details or end it",
        (CSR, TECHNICIAN, SUPERVISOR),
    ),
    "autopay.draft": ("Create, download and cancel ACH draft files", (TECHNICIAN, SUPERVISOR)),
    "autopay.returns": (
        "Import ACH return and notification-of-change files, resolve unmatched returns and decide the "
        "review queue (late returns: dishonor or accept; notices not applied)",
        (TECHNICIAN, SUPERVISOR),
    ),
    "collections.view": (
        "See delinquency, aging, collection stages, notices, arrangements and collections runs",
        (CSR, TECHNICIAN, SUPERVISOR, AUDITOR),
    ),
    "collections.run": (
        "Run the daily collections (penalties, notices, shutoff list), trial or posted",
        (TECHNICIAN, SUPERVISOR),
    ),
    "collections.policy": ("Load a new version of the collections policy", (SUPERVISOR,)),
    "collections.arrange": ("Record, cancel and print payment arrangements", (CSR, TECHNICIAN, SUPERVISOR)),
    "collections.appeal": ("Open a bill review or appeal", (CSR, TECHNICIAN, SUPERVISOR)),
    "collections.appeal_decide": ("Decide a bill review or appeal", (TECHNICIAN, SUPERVISOR)),
    "collections.certify": (
        "Record low-income and medical certifications and third-party notice contacts",
        (CSR, TECHNICIAN, SUPERVISOR),
    ),
    "collections.moratorium": ("Declare or lift an emergency moratorium on shutoffs", (SUPERVISOR,)),
    "collections.shutoff": (
        "Schedule shutoffs for nonpayment and order reconnections",
        (TECHNICIAN, SUPERVISOR),
    ),
    "collections.writeoff": (
        "Propose write-offs of closed accounts' unpaid final bills; transfer a closed account's balance",
        (TECHNICIAN, SUPERVISOR),
    ),
    "collections.writeoff_approve": ("Approve and post a write-off batch", (SUPERVISOR,)),
}


def roles_of(actor: Actor | None) -> set[str]:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return set()
    cached: set[str] | None = getattr(actor, "_civicbill_roles", None)
    if cached is None:
        cached = set(actor.groups.values_list("name", flat=True))
        if actor.is_superuser:
            cached.add(ADMIN)
        vars(actor)["_civicbill_roles"] = cached  # per user object, for one request or task
    return set(cached)


def has_permission(actor: Actor | None, code: str) -> bool:
    if code not in PERMISSIONS:
        raise KeyError(f"unknown permission {code!r}")
    roles = roles_of(actor)
    if ADMIN in roles:
        return True
    return bool(roles.intersection(PERMISSIONS[code][1]))


def require_permission(actor: Actor | None, code: str) -> None:
    """Raise PermissionDeniedError unless ``actor`` holds ``code``. Called by every service."""
    if not has_permission(actor, code):
        who = getattr(actor, "username", None) or "an anonymous user"
        raise PermissionDeniedError(f"{who} may not {PERMISSIONS[code][0].lower()} ({code})")


def permission_matrix_markdown() -> str:
    header = "| permission | what it allows | " + " | ".join(ROLES) + " |"
    rule = "|---|---|" + "---|" * len(ROLES)
    rows = [header, rule]
    for code, (description, roles) in PERMISSIONS.items():
        marks = " | ".join("yes" if role == ADMIN or role in roles else "" for role in ROLES)
        rows.append(f"| `{code}` | {description} | {marks} |")
    return "\n".join(rows) + "\n"
