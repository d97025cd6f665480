"""The account page and its in-place actions (note, interaction, move-out) and move-in."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.autopay import selectors as autopay_selectors
from civicbill.core import clock
from civicbill.core.audit import audit_for_account
from civicbill.core.exceptions import ApplicationError
from civicbill.core.numbers import parse_typed_decimal
from civicbill.core.permissions import has_permission
from civicbill.customers import selectors as customer_selectors
from civicbill.customers import services as customer_services
from civicbill.customers.models import Account
from civicbill.ledger import selectors as ledger_selectors
from civicbill.meters.models import MeterInstallation, ReadException
from civicbill.meters.read_selectors import hourly_profile, meter_probable_leak, read_history
from civicbill.meters.selectors import service_point_for_account
from civicbill.meters.services.moves import MoveResult, account_move_in, account_move_out, account_transfer
from civicbill.meters.services.reads import read_record
from civicbill.meters.validation import shown
from civicbill.web.charts import Bar, hourly_svg, usage_bars_svg
from civicbill.web.forms import (
    DEFAULT_RATE_SCHEDULES,
    AgreementDeterminantsForm,
    InteractionForm,
    MoveInForm,
    MoveOutForm,
    NoteForm,
    TransferForm,
)
from civicbill.web.ui import account_or_404, call_service, not_found, requires


def _account_context(request: HttpRequest, account: Account) -> dict[str, object]:
    detail = customer_selectors.account_detail(account, as_of=clock.today())
    context: dict[str, object] = {"account": account, "detail": detail}
    if has_permission(request.user, "ledger.view"):
        history = ledger_selectors.account_history(account)
        context.update(
            balance=ledger_selectors.account_balance(account),
            balance_by_service=sorted(ledger_selectors.account_balance_by_service(account).items()),
            history=list(reversed(history))[:100],
        )
    if has_permission(request.user, "audit.view"):
        context["audit_events"] = audit_for_account(
            account.number,
            related=[
                ("customers.customer", str(account.customer_id)),
                ("customers.premise", str(account.premise_id)),
            ],
        )
    if has_permission(request.user, "meters.view"):
        context.update(_water_context(account))
    if has_permission(request.user, "autopay.view"):
        context["autopay_enrollment"] = autopay_selectors.live_enrollment(account)
    context.update(
        note_form=NoteForm(),
        interaction_form=InteractionForm(),
        move_out_form=MoveOutForm(initial={"end_date": clock.today()}),
    )
    return context


def _water_context(account: Account) -> dict[str, object]:
    """The meter at the account's premise, 13 months of use beside last year's, the hourly profile of an
    AMI meter, and open read exceptions."""
    point = service_point_for_account(account)
    installation = (
        MeterInstallation.objects.filter(service_point=point, removed_on__isnull=True)
        .select_related("meter")
        .first()
        if point
        else None
    )
    if point is None or installation is None:
        return {"water_meter": None}
    today = clock.today()
    months = read_history(service_point=point, as_of=today, months=25)
    this_year, last_year = months[12:], months[:13]
    bars = [
        Bar(
            label=f"{m.month:%b}",
            value=m.consumption_hcf,
            last_year=before.consumption_hcf,
            note="estimated" if m.estimated else "",
        )
        for m, before in zip(this_year, last_year, strict=True)
    ]
    meter = installation.meter
    context: dict[str, object] = {
        "water_meter": meter,
        "service_point": point,
        "usage_months": list(zip(this_year, last_year, strict=True)),
        "usage_chart": mark_safe(usage_bars_svg(bars, title=_("Water use by month (HCF)"), unit="HCF")),  # noqa: S308
        "open_read_exceptions": list(
            ReadException.objects.filter(read__service_point=point, status__in=("open", "reread_requested"))
            .select_related("read")
            .order_by("-read__read_on")
        ),
        "read_form_date": today,
    }
    if meter.meter_type == "ami":
        hours = hourly_profile(meter=meter, until=clock.now(), days=7)
        if hours:
            context["hourly_chart"] = mark_safe(  # noqa: S308
                hourly_svg([h.consumption_hcf for h in hours], title=_("Hourly use, last 7 days"), unit="HCF")
            )
            context["probable_leak"] = meter_probable_leak(meter=meter, until=clock.now(), days=7)
    return context


@requires("customers.view")
def account_page(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    return render(request, "web/account.html", _account_context(request, account))


@require_POST
@requires("customers.note")
def note_add(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = NoteForm(request.POST)
    if form.is_valid():
        call_service(
            form,
            customer_services.note_add,
            account=account,
            body=form.cleaned_data["body"],
            actor=request.user,
        )
    if form.errors:
        status = 422
    else:
        status = 200
        form = NoteForm()
    detail = customer_selectors.account_detail(account, as_of=clock.today())
    return render(
        request,
        "web/partials/notes.html",
        {"account": account, "detail": detail, "note_form": form},
        status=status,
    )


@require_POST
@requires("customers.note")
def interaction_add(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = InteractionForm(request.POST)
    if form.is_valid():
        call_service(
            form,
            customer_services.interaction_log,
            account=account,
            channel=form.cleaned_data["channel"],
            direction=form.cleaned_data["direction"],
            subject=form.cleaned_data["subject"],
            outcome=form.cleaned_data["outcome"],
            occurred_at=clock.now(),
            actor=request.user,
        )
    status = 422 if form.errors else 200
    if not form.errors:
        form = InteractionForm()
    detail = customer_selectors.account_detail(account, as_of=clock.today())
    return render(
        request,
        "web/partials/interactions.html",
        {"account": account, "detail": detail, "interaction_form": form},
        status=status,
    )


def _move_read_message(request: HttpRequest, result: MoveResult) -> None:
    """What became of the read at a move: recorded (actual or estimated), on file, held, or none."""
    move_read = result.read
    if move_read is None:
        messages.warning(request, result.read_note)
        return
    read = move_read.read
    values = {"value": shown(read.value), "date": f"{read.read_on:%Y-%m-%d}"}
    if read.status == "exception":
        messages.warning(request, result.read_note)
    elif not move_read.recorded:
        messages.info(request, _("The read %(value)s of %(date)s on file bounds the use.") % values)
    elif move_read.estimated:
        messages.info(request, _("Read estimated: %(value)s on %(date)s (marked estimated).") % values)
    else:
        messages.info(request, _("Read %(value)s on %(date)s recorded.") % values)


@require_http_methods(["GET", "POST"])
@requires("customers.move_out")
def move_out(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = MoveOutForm(request.POST or None, initial={"end_date": clock.today()})
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form,
            account_move_out,
            account=account,
            end_date=form.cleaned_data["end_date"],
            read=form.cleaned_data["read"],
            forwarding_address=form.forwarding_address(),
            reason=form.cleaned_data["reason"],
            actor=request.user,
            as_of=clock.today(),
        )
        if result is not None:
            messages.success(
                request,
                _(
                    "Service ends on %(date)s. The account is now final; the final bill "
                    "comes with the next billing run."
                )
                % {"date": form.cleaned_data["end_date"]},
            )
            _move_read_message(request, result)
            return redirect("account", number=account.number)
    status = 422 if form.errors else 200
    return render(request, "web/move_out.html", {"account": account, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@requires("customers.move_in")
def move_in(request: HttpRequest) -> HttpResponse:
    form = MoveInForm(request.POST or None, initial={"start_date": clock.today()})
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form,
            account_move_in,
            data=form.cleaned_data,
            services=[(service, DEFAULT_RATE_SCHEDULES[service]) for service in form.selected_services()],
            read=form.cleaned_data["read"],
            actor=request.user,
            as_of=clock.today(),
        )
        if result is not None:
            account = result.account
            messages.success(
                request,
                _("Account %(number)s opened. Service starts %(date)s.")
                % {"number": account.number, "date": account.opened_on},
            )
            _move_read_message(request, result)
            return redirect("account", number=account.number)
    status = 422 if form.errors else 200
    return render(request, "web/move_in.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@requires("customers.transfer")
def transfer(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = TransferForm(
        request.POST or None,
        initial={
            "move_date": clock.today(),
            "city": account.premise.city,
            "zip_code": account.premise.zip_code,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = call_service(
            form,
            account_transfer,
            account=account,
            address=data,
            move_date=data["move_date"],
            move_out_read=data["move_out_read"],
            move_in_read=data["move_in_read"],
            as_of=clock.today(),
            actor=request.user,
        )
        if result is not None:
            new_account = result.move_in.account
            messages.success(
                request,
                _(
                    "%(name)s moved: account %(old)s is final after %(date)s; "
                    "new account %(new)s at %(address)s."
                )
                % {
                    "name": account.customer.display_name,
                    "old": account.number,
                    "date": data["move_date"],
                    "new": new_account.number,
                    "address": new_account.premise.address_line,
                },
            )
            _move_read_message(request, result.move_out)
            _move_read_message(request, result.move_in)
            return redirect("account", number=new_account.number)
    status = 422 if form.errors else 200
    return render(request, "web/transfer.html", {"account": account, "form": form}, status=status)


@require_POST
@requires("reads.enter")
def read_add(request: HttpRequest, number: str) -> HttpResponse:
    """A read typed on the account page (a customer's own reading, a counter check)."""
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    read_on = parse_date(request.POST.get("read_on", "") or "")
    value = parse_typed_decimal(request.POST.get("value", ""))
    if read_on is None or value is None:
        messages.error(request, _("Type the read as a number and its date."))
        return redirect("account", number=account.number)
    try:
        outcome = read_record(
            meter_serial=request.POST.get("meter_serial", ""),
            read_on=read_on,
            value=value,
            source="manual",
            actor=request.user,
            as_of=clock.today(),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if outcome.accepted:
            messages.success(
                request,
                _("Read %(value)s accepted: %(hcf)s HCF used.")
                % {"value": value, "hcf": outcome.consumption_hcf},
            )
        else:
            messages.warning(
                request,
                _("Read %(value)s held for review: %(why)s") % {"value": value, "why": outcome.message},
            )
    return redirect("account", number=account.number)


@require_http_methods(["GET", "POST"])
@requires("customers.edit")
def agreement_edit(request: HttpRequest, number: str, service: str) -> HttpResponse:
    """Change an open agreement's determinants (refuse containers and size, fire service size)."""
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    agreement = (
        account.agreements.filter(service=service, end_date__isnull=True).order_by("-start_date").first()
    )
    if agreement is None:
        return not_found(request, _("Account %(number)s has no open %(service)s agreement.")
                         % {"number": account.number, "service": service})  # fmt: skip
    form = AgreementDeterminantsForm(
        request.POST or None,
        initial={
            "containers": agreement.containers,
            "container_size": agreement.container_size,
            "service_size": agreement.service_size,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = ("containers", "container_size") if service == "refuse" else ("service_size",)
        changed = call_service(
            form,
            customer_services.agreement_determinants_set,
            account=account,
            service=service,
            actor=request.user,
            **{name: data[name] for name in fields},
        )
        if changed is not None:
            messages.success(
                request,
                _("The %(service)s agreement of account %(number)s is changed; the next bill uses it.")
                % {"service": agreement.get_service_display().lower(), "number": account.number},
            )
            return redirect("account", number=account.number)
    status = 422 if form.errors else 200
    return render(
        request,
        "web/agreement_edit.html",
        {"account": account, "agreement": agreement, "form": form},
        status=status,
    )
