"""The notices step of the daily collections run: late notices, final notices and their copies, and
the final notice posted at the premise after a broken arrangement (docs/collections.md "Notices").

For every account owing on the run date (``ctx.owing``), active, not past the notice stages:

- **late notice** (courtesy reminder) once per delinquent bill, from ``late_notice_after_days`` after
  the bill became delinquent (due date + grace days) until its final notice is due;
- **final notice** for a residential account whose oldest unpaid bill is ``final_notice_delinquent_days``
  past due, once per such bill, with the dates of ``collections.notice_dates``; with it a copy to
  "Occupant" at the service address when the mailing address differs, the notice to the tenants of a
  landlord-billed building (``collections.notice_rules``) and a copy to each third party the customer
  named;
- **posted final notice** after a broken arrangement: a field work order to post it at the premise;
  shutoff no sooner than ``broken_arrangement_notice_business_days`` business days after.

Nothing is sent to an account in an honoured arrangement, with a bill review or appeal pending or
under a moratorium (the run lists it as not acted on, with the reason), nor for a past-due amount
below ``minimum_balance_cents``. Each notice is a ``CollectionNotice`` with its letter queued in the
recipient's language, the account's stage is recorded, and the run lists the action with its rule.
In a trial only the actions are listed. A rerun sends nothing twice (one notice per account, kind,
bill due date and recipient).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from civicbill.collections.delinquency import AccountDelinquency, OpenBillItem
from civicbill.collections.models import (
    ActionStep,
    Arrangement,
    ArrangementStatus,
    CollectionNotice,
    CollectionStage,
    NoticeKind,
    ThirdPartyContact,
)
from civicbill.collections.notice_dates import (
    NoticeDates,
    final_notice_dates,
    final_notice_on,
    late_notice_on,
    posted_notice_dates,
)
from civicbill.collections.notice_rules import is_residential, landlord_billed, same_address
from civicbill.collections.protections import Protections
from civicbill.collections.run_context import RunContext
from civicbill.collections.stages import current_stages, stage_record_trusted
from civicbill.core.actors import acting_user
from civicbill.core.chunks import slices
from civicbill.core.money import format_cents
from civicbill.correspondence.models import LetterKind
from civicbill.correspondence.services import letter_queue_trusted
from civicbill.customers.models import Account
from civicbill.payments.allocation import CHARGE
from civicbill.workorders.models import Priority, WorkOrderType
from civicbill.workorders.selectors import open_work_order
from civicbill.workorders.services.lifecycle import create_order_trusted

CHUNK = 900
TEMPLATE_LANGUAGES = ("en", "es")  # the languages the notice letters are written in
# stages past the notices: the shutoff steps (or write-off) act on these accounts now
PAST_NOTICE_STAGES = frozenset(
    {
        CollectionStage.FORTY_EIGHT_HOUR_NOTICE,
        CollectionStage.ELIGIBLE_FOR_SHUTOFF,
        CollectionStage.SHUTOFF_SCHEDULED,
        CollectionStage.DISCONNECTED,
        CollectionStage.CLOSED_UNPAID,
        CollectionStage.WRITTEN_OFF,
    }
)
# a late notice moves the stage only from these (a later bill's reminder never undoes a final notice)
LATE_STAGE_FROM = frozenset(
    {
        CollectionStage.CURRENT,
        CollectionStage.PAST_DUE,
        CollectionStage.RECONNECTED,
        CollectionStage.IN_ARRANGEMENT,
        CollectionStage.APPEAL_PENDING,
    }
)
LETTER_KINDS: dict[str, str] = {
    NoticeKind.LATE: LetterKind.COLLECTIONS_LATE_NOTICE,
    NoticeKind.FINAL: LetterKind.COLLECTIONS_FINAL_NOTICE,
    NoticeKind.FINAL_OCCUPANT: LetterKind.COLLECTIONS_FINAL_NOTICE,
    NoticeKind.THIRD_PARTY: LetterKind.COLLECTIONS_FINAL_NOTICE,
    NoticeKind.TENANT: LetterKind.COLLECTIONS_TENANT_NOTICE,
    NoticeKind.POSTED_FINAL: LetterKind.COLLECTIONS_POSTED_NOTICE,
}
OCCUPANT = {"en": "Occupant", "es": "Ocupante"}
RESIDENTS = {"en": "Residents", "es": "Residentes"}

Key = tuple[int, str, dt.date, str]  # account, kind, due date, recipient


@dataclass(frozen=True, slots=True)
class _Due:
    account_id: int
    kind: str  # late | final | posted_final
    item: OpenBillItem | None  # the delinquent bill the notice is about
    due_on: dt.date
    amount_cents: int
    arrangement: Arrangement | None = None


@dataclass(frozen=True, slots=True)
class _Recipient:
    kind: str
    key: str
    name: str
    lines: tuple[str, ...]
    zip_code: str
    language: str
    copies: int = 1
    third_party_id: int | None = None


def notice_step(ctx: RunContext) -> None:
    """Send (or, in a trial, list) the notices due on ``ctx.run_date`` (module doc)."""
    day = ctx.run_date
    due = [d for account_id in sorted(ctx.owing) for d in _notices_due(ctx.owing[account_id], ctx)]
    due += _posted_notices_due(ctx)
    if not due:
        return
    ids = sorted({d.account_id for d in due})
    stages = current_stages(ids, as_of=day)
    sent: set[Key] = set()
    accounts: dict[int, Account] = {}
    for chunk in slices(ids, CHUNK):
        sent.update(
            CollectionNotice.objects.filter(account_id__in=chunk).values_list(
                "account_id", "kind", "due_on", "recipient_key"
            )
        )
        accounts.update(
            Account.objects.filter(id__in=chunk, status=Account.Status.ACTIVE)
            .select_related("customer", "premise")
            .in_bulk()
        )
    contacts = _third_parties(ctx.protections.get(d.account_id) for d in due)
    for notice in due:
        account = accounts.get(notice.account_id)
        key_kind = NoticeKind.LATE if notice.kind == NoticeKind.LATE else notice.kind
        recipient_key = f"arrangement:{notice.arrangement.pk}" if notice.arrangement else ""
        if account is None or stages[notice.account_id] in PAST_NOTICE_STAGES:
            continue
        if (notice.account_id, key_kind, notice.due_on, recipient_key) in sent:
            continue
        if notice.kind != NoticeKind.LATE and not is_residential(account.premise.premise_type):
            continue
        blocked = _blocked_by(ctx.protections.get(notice.account_id), notice.kind)
        if blocked:
            ctx.act(
                notice.account_id,
                ActionStep.SKIPPED,
                f"{_label(notice.kind)} not sent: {blocked}",
                amount_cents=notice.amount_cents,
                notice=notice.kind,
                due_on=notice.due_on.isoformat(),
                protected_because=blocked,
            )
            continue
        _send(ctx, account, notice, stages[notice.account_id], contacts)


def _label(kind: str) -> str:
    return {"late": "late notice", "final": "final notice"}.get(kind, "posted final notice")


def _notices_due(facts: AccountDelinquency, ctx: RunContext) -> list[_Due]:
    """The late or final notice ``facts`` call for on the run date, by the dates alone."""
    day, policy = ctx.run_date, ctx.policy
    amount = facts.past_due_cents(day)
    if amount < policy.minimum_balance_cents or amount <= 0:
        return []
    oldest = facts.oldest_due_date(day)
    if oldest is not None and final_notice_on(oldest, policy) <= day:
        item = _bill_item(facts, oldest)
        return [_Due(facts.account_id, NoticeKind.FINAL, item, oldest, amount)]
    due_dates = sorted(
        {
            item.due_date
            for item in facts.items
            # a bill's (or opening balance's) charges: a penalty or interest item is not a new delinquency
            if item.kind == CHARGE
            and late_notice_on(item.due_date, policy) <= day < final_notice_on(item.due_date, policy)
        }
    )
    return [_Due(facts.account_id, NoticeKind.LATE, _bill_item(facts, d), d, amount) for d in due_dates]


def _bill_item(facts: AccountDelinquency, due_date: dt.date) -> OpenBillItem:
    """The open item due on ``due_date``, one with a bill when there is one."""
    items = [item for item in facts.items if item.due_date == due_date]
    return next((item for item in items if item.bill_id is not None), items[0])


def _posted_notices_due(ctx: RunContext) -> list[_Due]:
    """Broken arrangements of accounts still owing past due: a final notice posted at the premise."""
    day, policy = ctx.run_date, ctx.policy
    broken: list[_Due] = []
    ids = sorted(ctx.owing)
    for chunk in slices(ids, CHUNK):
        for arrangement in Arrangement.objects.filter(
            account_id__in=chunk, status=ArrangementStatus.BROKEN, ended_on__lte=day
        ).order_by("account_id", "ended_on", "id"):
            facts = ctx.owing[arrangement.account_id]
            amount = facts.past_due_cents(day)
            oldest = facts.oldest_due_date(day)
            if (
                oldest is None
                or arrangement.ended_on is None
                or amount < max(policy.minimum_balance_cents, 1)
            ):
                continue
            broken.append(
                _Due(
                    arrangement.account_id,
                    NoticeKind.POSTED_FINAL,
                    _bill_item(facts, oldest),
                    arrangement.ended_on,
                    amount,
                    arrangement,
                )
            )
    return broken


def _blocked_by(protections: Protections | None, kind: str) -> str:
    if protections is None:
        return ""
    if protections.moratorium is not None:
        m = protections.moratorium
        return f"emergency moratorium {m.starts_on:%Y-%m-%d} to {m.ends_on:%Y-%m-%d} ({m.reason})"
    if protections.appeal_pending:
        return "a bill review or appeal is pending"
    if protections.in_arrangement and kind != NoticeKind.POSTED_FINAL:
        return "a payment arrangement is honoured"
    return ""


def _third_parties(protections: Iterable[Protections | None]) -> dict[int, list[ThirdPartyContact]]:
    ids = sorted({i for p in protections if p is not None for i in p.third_party_contact_ids})
    found: dict[int, list[ThirdPartyContact]] = {}
    for chunk in slices(ids, CHUNK):
        for contact in ThirdPartyContact.objects.filter(id__in=chunk).order_by("id"):
            found.setdefault(contact.account_id, []).append(contact)
    return found


def _recipients(
    account: Account, notice: _Due, contacts: dict[int, list[ThirdPartyContact]], languages: tuple[str, ...]
) -> list[_Recipient]:
    customer, premise = account.customer, account.premise
    language = customer.preferred_language if customer.preferred_language in TEMPLATE_LANGUAGES else "en"
    service_lines = (premise.address_line, f"{premise.city}, {premise.state} {premise.zip_code}")
    if notice.kind == NoticeKind.POSTED_FINAL:
        key = f"arrangement:{notice.arrangement.pk}" if notice.arrangement else ""
        return [
            _Recipient(
                NoticeKind.POSTED_FINAL, key, customer.display_name, service_lines, premise.zip_code, language
            )
        ]
    recipients = [
        _Recipient(
            notice.kind,
            "",
            customer.display_name,
            tuple(customer.mailing_address_lines),
            customer.mailing_zip,
            language,
        )
    ]
    if notice.kind != NoticeKind.FINAL:
        return recipients
    # the residents at the service address read the notice in every language of the policy
    residents_languages = [lang for lang in languages if lang in TEMPLATE_LANGUAGES] or ["en"]
    if landlord_billed(premise.premise_type, premise.dwelling_units):
        recipients += [
            _Recipient(
                NoticeKind.TENANT,
                f"tenants:{lang}",
                RESIDENTS[lang],
                service_lines,
                premise.zip_code,
                lang,
                copies=premise.dwelling_units,
            )
            for lang in residents_languages
        ]
    elif not same_address(
        mailing_line1=customer.mailing_line1,
        mailing_line2=customer.mailing_line2,
        mailing_zip=customer.mailing_zip,
        premise_search_address=premise.search_address,
        premise_zip=premise.zip_code,
    ):
        recipients += [
            _Recipient(
                NoticeKind.FINAL_OCCUPANT,
                f"occupant:{lang}",
                OCCUPANT[lang],
                service_lines,
                premise.zip_code,
                lang,
            )
            for lang in residents_languages
        ]
    for contact in contacts.get(account.pk, []):
        lines = [contact.line1, *([contact.line2] if contact.line2 else [])]
        lines.append(f"{contact.city}, {contact.state} {contact.zip_code}")
        recipients.append(
            _Recipient(
                NoticeKind.THIRD_PARTY,
                f"third_party:{contact.pk}",
                contact.name,
                tuple(lines),
                contact.zip_code,
                contact.language if contact.language in TEMPLATE_LANGUAGES else "en",
                third_party_id=contact.pk,
            )
        )
    return recipients


def _dates(ctx: RunContext, account: Account, notice: _Due) -> NoticeDates | None:
    """The final notice's dates; None for a late notice (its pay-by date is the day before the final
    notice would be due, on a business day)."""
    if notice.kind == NoticeKind.LATE:
        return None
    if notice.kind == NoticeKind.POSTED_FINAL:
        return posted_notice_dates(today=ctx.run_date, policy=ctx.policy, calendar=ctx.calendar)
    item = notice.item
    bill_mailed_on = (item.bill_date if item and item.bill_date else None) or notice.due_on
    premise = account.premise
    return final_notice_dates(
        bill_mailed_on=bill_mailed_on,
        due_date=notice.due_on,
        today=ctx.run_date,
        policy=ctx.policy,
        calendar=ctx.calendar,
        tenants=landlord_billed(premise.premise_type, premise.dwelling_units),
    )


def _rule(notice: _Due, ctx: RunContext, dates: NoticeDates | None) -> str:
    policy = ctx.policy
    bill = notice.item.bill_number if notice.item and notice.item.bill_number else "balance"
    if notice.kind == NoticeKind.LATE:
        return (
            f"late notice: bill {bill} due {notice.due_on:%Y-%m-%d} unpaid {policy.grace_days} days' grace "
            f"+ {policy.late_notice_after_days} day(s); {format_cents(notice.amount_cents)} past due"
        )
    if dates is None:
        raise ValueError("a final notice has its dates")
    if notice.kind == NoticeKind.POSTED_FINAL:
        ended = notice.arrangement.ended_on if notice.arrangement else notice.due_on
        return (
            f"posted final notice: arrangement broken {ended:%Y-%m-%d}; shutoff no sooner than "
            f"{policy.broken_arrangement_notice_business_days} business days after posting "
            f"({dates.earliest_shutoff_on:%Y-%m-%d})"
        )
    return (
        f"final notice: bill {bill} due {notice.due_on:%Y-%m-%d} is "
        f"{(ctx.run_date - notice.due_on).days} days past due "
        f"(policy {policy.final_notice_delinquent_days}); "
        f"mailed {dates.mailed_on:%Y-%m-%d}, earliest shutoff {dates.earliest_shutoff_on:%Y-%m-%d}"
    )


def _late_pay_by(ctx: RunContext, notice: _Due) -> dt.date:
    final_on = final_notice_on(notice.due_on, ctx.policy)
    return max(ctx.calendar.add_business_days(final_on, -1), ctx.run_date)


def _send(
    ctx: RunContext,
    account: Account,
    notice: _Due,
    stage: str,
    contacts: dict[int, list[ThirdPartyContact]],
) -> None:
    dates = _dates(ctx, account, notice)
    rule = _rule(notice, ctx, dates)
    recipients = _recipients(account, notice, contacts, ctx.policy.languages)
    steps: dict[str, str] = {
        NoticeKind.LATE: ActionStep.LATE_NOTICE,
        NoticeKind.FINAL: ActionStep.FINAL_NOTICE,
    }
    step = steps.get(notice.kind, ActionStep.POSTED_NOTICE)
    detail: dict[str, Any] = {
        "notice": notice.kind,
        "due_on": notice.due_on.isoformat(),
        "bill_number": notice.item.bill_number if notice.item else "",
        "recipients": [{"kind": r.kind, "name": r.name, "language": r.language} for r in recipients],
    }
    if dates is not None:
        detail.update(dates.as_detail())
    else:
        detail["pay_by"] = _late_pay_by(ctx, notice).isoformat()
    if ctx.trial:
        ctx.act(account.pk, step, rule, amount_cents=notice.amount_cents, **detail)
        return
    work_order = (
        _post_order(ctx, account, notice, dates)
        if notice.kind == NoticeKind.POSTED_FINAL and dates is not None
        else None
    )
    notices = [_record(ctx, account, notice, recipient, dates, rule, work_order) for recipient in recipients]
    detail["notice_ids"] = [n.pk for n in notices]
    if work_order is not None:
        detail["work_order"] = work_order.number
    if notice.kind == NoticeKind.LATE:
        if stage in LATE_STAGE_FROM:
            stage_record_trusted(
                account_id=account.pk,
                stage=CollectionStage.LATE_NOTICE_SENT,
                on=ctx.run_date,
                rule=rule,
                actor=ctx.actor,
                at=ctx.at,
                run=ctx.run,
                detail={"notice_id": notices[0].pk},
            )
    else:
        stage_record_trusted(
            account_id=account.pk,
            stage=CollectionStage.FINAL_NOTICE_SENT,
            on=ctx.run_date,
            rule=rule,
            actor=ctx.actor,
            at=ctx.at,
            run=ctx.run,
            detail={"notice_id": notices[0].pk},
        )
    ctx.act(account.pk, step, rule, amount_cents=notice.amount_cents, **detail)


def _post_order(ctx: RunContext, account: Account, notice: _Due, dates: NoticeDates) -> Any:
    existing = open_work_order(work_type=WorkOrderType.POST_NOTICE, premise=account.premise, meter=None)
    if existing is not None:
        return existing
    return create_order_trusted(
        work_type=WorkOrderType.POST_NOTICE,
        premise=account.premise,
        account=account,
        service_point=None,
        meter=None,
        read_exception=None,
        description=(
            "Post the final notice (payment arrangement broken) at the premise on "
            f"{dates.mailed_on:%Y-%m-%d}; "
            f"shutoff no sooner than {dates.earliest_shutoff_on:%Y-%m-%d}."
        ),
        due_on=dates.mailed_on,
        priority=Priority.HIGH,
        as_of=ctx.run_date,
        actor=ctx.actor,
    )


def _record(
    ctx: RunContext,
    account: Account,
    notice: _Due,
    recipient: _Recipient,
    dates: NoticeDates | None,
    rule: str,
    work_order: Any,
) -> CollectionNotice:
    policy = ctx.policy
    pay_by = dates.pay_by if dates else _late_pay_by(ctx, notice)
    mailed_on = dates.mailed_on if dates else ctx.run_date
    item = notice.item
    facts: dict[str, Any] = {
        "customer_name": recipient.name,  # the letterhead's addressee
        "mailing_lines": list(recipient.lines),
        "account_holder": account.customer.display_name,
        "copy_for": recipient.kind,
        "amount_delinquent": format_cents(notice.amount_cents),
        "amount_delinquent_cents": notice.amount_cents,
        "bill_number": item.bill_number if item else "",
        "bill_date": item.bill_date.isoformat() if item and item.bill_date else None,
        "due_on": notice.due_on.isoformat(),
        "mailed_on": mailed_on.isoformat(),
        "pay_by": pay_by.isoformat(),
        "earliest_shutoff_on": dates.earliest_shutoff_on.isoformat() if dates else None,
        "policy_url": policy.policy_url,
        "policy_phone": policy.policy_phone,
        "dwelling_units": account.premise.dwelling_units,
        "arrangement_max_months": policy.arrangement_max_months,
        "work_order_number": work_order.number if work_order is not None else "",
    }
    letter = letter_queue_trusted(
        account=account,
        kind=LETTER_KINDS[recipient.kind],
        facts=facts,
        reference=item.bill_number if item and item.bill_number else account.number,
        actor=ctx.actor,
        as_of=ctx.run_date,
        at=ctx.at,
        language=recipient.language,
    )
    return CollectionNotice.objects.create(
        account=account,
        kind=recipient.kind,
        recipient_key=recipient.key,
        bill_id=item.bill_id if item else None,
        due_on=notice.due_on,
        amount_delinquent_cents=notice.amount_cents,
        notice_date=ctx.run_date,
        mailed_on=mailed_on,
        pay_by=pay_by,
        earliest_shutoff_on=dates.earliest_shutoff_on if dates else None,
        language=recipient.language,
        recipient_name=recipient.name,
        address_lines=list(recipient.lines),
        recipient_zip=recipient.zip_code[:10],
        copies=recipient.copies,
        third_party_id=recipient.third_party_id,
        work_order=work_order,
        letter=letter,
        run=ctx.run,
        rule=rule[:300],
        created_by=acting_user(ctx.actor),
        created_at=ctx.at,
    )
