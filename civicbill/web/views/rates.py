"""Rate schedule pages: the list, one schedule with its versions and charges in plain words, a
supervisor's "add a new version" form, and a quote form. The rates selectors and services do the
reading, loading and pricing; this module only shows their results."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicbill.core import clock
from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.money import Money, format_money
from civicbill.rates import selectors as rate_selectors
from civicbill.rates import services as rate_services
from civicbill.rates.models import RateScheduleVersion, SourceFormat
from civicbill.rates.owrs.report import import_report
from civicbill.rates.quotes import rate_quote
from civicbill.web.forms import RateQuoteForm, RateVersionForm
from civicbill.web.ui import call_service, not_found, requires


def _price(text: str | Decimal | None) -> str:
    """A rate as written (it may carry more than two decimals): ``1.5`` → ``$1.50``, ``0.4321`` stays."""
    if text is None or text == "":
        return ""
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return str(text)
    if value == value.quantize(Decimal("0.01")):
        return format_money(Money.round(value))
    return f"${value.normalize():f}"


def _number(text: str | Decimal) -> str:
    value = Decimal(str(text)).normalize()
    return f"{value:,f}"


def charge_sentences(charge: dict[str, Any], unit: str) -> list[str]:
    """One charge of a schedule document in counter-staff words (tiers: "first 41 HCF at $1.50")."""
    kind = charge.get("type")
    out: list[str] = []
    if kind == "fixed":
        per = {
            "account": _("per month"),
            "dwelling_unit": _("per dwelling unit per month"),
            "container": _("per container per month"),
        }.get(charge.get("per", "account"), "")
        if "amount" in charge:
            out.append(f"{_price(charge['amount'])} {per}")
        else:
            by = charge.get("by", "")
            for name, amount in charge.get("prices", {}).items():
                label = f'{name}"' if by.endswith("size") else str(name)
                out.append(
                    _("%(what)s: %(price)s %(per)s") % {"what": label, "price": _price(amount), "per": per}
                )
        if not charge.get("prorate", True):
            out.append(_("not prorated"))
    elif kind in ("tiered", "budget"):
        previous: str | None = None
        tiers = charge.get("tiers", [])
        for tier in tiers:
            bound, price = tier.get("up_to"), _price(tier.get("price"))
            if kind == "budget" and bound is not None:
                shown = {"indoor": _("the indoor allowance"), "outdoor": _("the outdoor allowance")}.get(
                    bound,
                    _("%(bound)s of the budget") % {"bound": bound}
                    if str(bound).endswith("%")
                    else f"{bound} {unit}",
                )
            else:
                shown = f"{_number(bound)} {unit}" if bound is not None else ""
            if bound is None:
                if previous is None:
                    out.append(_("every %(unit)s at %(price)s") % {"unit": unit, "price": price})
                else:
                    out.append(_("above %(bound)s at %(price)s") % {"bound": previous, "price": price})
            elif previous is None:
                out.append(_("first %(bound)s at %(price)s") % {"bound": shown, "price": price})
            else:
                out.append(
                    _("over %(previous)s up to %(bound)s at %(price)s")
                    % {"previous": previous, "bound": shown, "price": price}
                )
            previous = shown
        if kind == "budget":
            out.append(
                _("indoor allowance: %(gallons)s gallons per person per day; outdoor factors %(factors)s")
                % {
                    "gallons": charge.get("gallons_per_person_per_day"),
                    "factors": ", ".join(charge.get("outdoor_factors", [])) or "—",
                }
            )
    elif kind == "volumetric":
        text = _("%(price)s per %(unit)s of water used") % {
            "price": _price(charge.get("price")),
            "unit": unit,
        }
        if charge.get("factor") not in (None, "1"):
            text += " " + _("× %(factor)s") % {"factor": charge["factor"]}
        if charge.get("cap"):
            text += " " + _("(capped at %(cap)s)") % {"cap": charge["cap"]}
        out.append(text)
    elif kind == "minimum":
        out.append(_("at least %(amount)s per month") % {"amount": _price(charge.get("amount"))})
    elif kind == "percent":
        of = charge.get("of")
        text = _("%(rate)s%% of %(what)s") % {
            "rate": _number(charge.get("rate", "0")),
            "what": ", ".join(of) if of else _("the charges above"),
        }
        out.append(text)
    return out


def _readable(version: RateScheduleVersion) -> bool:
    return version.source_format == SourceFormat.CIVICBILL_YAML and isinstance(
        version.document.get("classes"), dict
    )


def _readable_classes(document: dict[str, Any]) -> list[dict[str, Any]]:
    unit = document.get("unit", "HCF")
    return [
        {
            "name": name,
            "charges": [
                {"description": charge.get("description", charge.get("key")), "key": charge.get("key"),
                 "type": charge.get("type"), "sentences": charge_sentences(charge, unit)}
                for charge in body.get("charges", [])
            ],
        }
        for name, body in document.get("classes", {}).items()
    ]  # fmt: skip


def _schedule_rows() -> list[dict[str, Any]]:
    """Each schedule with its classes, the version in effect today and the next one (one query for
    the versions of all schedules)."""
    rows = []
    for schedule, mine, current, upcoming in rate_selectors.schedules_overview(on=clock.today()):
        shown = current or upcoming
        rows.append(
            {
                "code": schedule.code,
                "name": schedule.name,
                "service_label": schedule.get_service_display(),
                "classes": sorted(_classes_of(shown)) if shown else [],
                "current_from": current.effective_from if current else None,
                "next_from": upcoming.effective_from if upcoming else None,
                "versions_count": len(mine),
            }
        )
    return rows


def _classes_of(version: RateScheduleVersion) -> list[str]:
    if version.source_format == SourceFormat.OWRS:
        return list(version.document.get("owrs_classes") or [])
    classes = version.document.get("classes")
    if isinstance(classes, dict):
        return list(classes)
    return []


@requires("rates.view")
def schedules_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/rates/list.html", {"schedules": _schedule_rows()})


@requires("rates.view")
def schedule_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        schedule = rate_selectors.schedule_get(code)
    except NotFoundError as error:
        return not_found(request, error.message)
    versions = list(reversed(rate_selectors.schedule_versions(schedule=schedule)))
    shown_id = request.GET.get("version", "")
    today = clock.today()
    current = next((v for v in versions if v.effective_from <= today), None)
    shown = (
        next((v for v in versions if str(v.pk) == shown_id), None)
        or current
        or (versions[0] if versions else None)
    )
    return render(
        request,
        "web/rates/schedule.html",
        {
            "schedule": schedule,
            "versions": versions,
            "current": current,
            "shown": shown,
            "classes": _readable_classes(shown.document) if shown and _readable(shown) else [],
            "owrs_report": (
                import_report(shown.document)
                if shown is not None and shown.source_format == SourceFormat.OWRS
                else None
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("rates.manage")
def version_add(request: HttpRequest, code: str) -> HttpResponse:
    """Upload or paste a version; the parser's complaint (key and line) shows next to the text."""
    try:
        schedule = rate_selectors.schedule_get(code)
    except NotFoundError as error:
        return not_found(request, error.message)
    latest = schedule.versions.order_by("-effective_from").first()
    initial = {
        "text": latest.source_text if latest is not None and latest.source_format == "civicbill-yaml" else ""
    }
    form = RateVersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = rate_services.schedule_version_add(
                code=schedule.code,
                text=form.cleaned_data["text"],
                source_name=form.cleaned_data["source_name"],
                actor=request.user,
                as_of=clock.today(),
            )
        except ApplicationError as error:
            form.add_error("file" if form.cleaned_data.get("from_file") else "text", error.message)
        else:
            messages.success(
                request,
                _("The version of %(code)s taking effect on %(date)s is stored.")
                % {"code": schedule.code, "date": version.effective_from.isoformat()},
            )
            return redirect(reverse("rates-schedule", args=[schedule.code]) + f"?version={version.pk}")
    status = 422 if form.errors else 200
    return render(request, "web/rates/version_add.html", {"schedule": schedule, "form": form}, status=status)


@requires("rates.view")
def quote(request: HttpRequest) -> HttpResponse:
    rows = _schedule_rows()
    schedules = [(row["code"], f"{row['code']} — {row['name']}") for row in rows]
    classes = sorted({name for row in rows for name in row["classes"]})
    form = RateQuoteForm(
        request.GET if "usage" in request.GET else None,
        schedules=schedules,
        initial={"schedule": request.GET.get("schedule", ""), "days": 30},
    )
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = call_service(
            form,
            rate_quote,
            schedule_code=data["schedule"],
            customer_class=data["customer_class"],
            usage_hcf=data["usage"],
            days=data["days"],
            cycle_days=data["cycle_days"],
            meter_size=data["meter_size"] or None,
            variables=data["variables"],
            as_of=clock.today(),
        )
    status = 422 if form.errors else 200
    return render(
        request, "web/rates/quote.html", {"form": form, "result": result, "classes": classes}, status=status
    )
