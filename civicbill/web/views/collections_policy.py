"""Collections: the policy page (versions, the policy in force key by key with the statute behind each
limit) and the supervisor's form to load a new version (YAML, each problem shown with its key and line)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from civicbill.collections.models import CollectionsPolicyVersion
from civicbill.collections.policy_file import STATUTE_OF_KEY, PolicyFileError, parse_policy, policy_to_yaml
from civicbill.collections.policy_services import penalty_revenue_funds, policy_version_load, service_funds
from civicbill.collections.selectors import policy_on
from civicbill.core import clock
from civicbill.web.collections_forms import PolicyVersionForm
from civicbill.web.ui import call_service, requires

# what each key means, for the page (the file's own comments say the same: policies/demo-city.yaml)
KEY_MEANINGS = {
    "grace_days": gettext_lazy("Days after the due date before a charge is delinquent"),
    "penalty_percent": gettext_lazy("Late penalty, percent of the delinquent charges (once per bill)"),
    "monthly_interest_percent": gettext_lazy("Interest each further month on the unpaid amount, percent"),
    "minimum_balance_cents": gettext_lazy("Past-due amount below which nothing is done (cents)"),
    "penalty_services": gettext_lazy("Services whose charges carry a penalty"),
    "penalty_accounts": gettext_lazy("Penalty revenue GL account of each service"),
    "late_notice_after_days": gettext_lazy("Late notice, days after the charge becomes delinquent"),
    "final_notice_delinquent_days": gettext_lazy(
        "Final notice once the oldest bill is this many days past due"
    ),
    "final_notice_lead_business_days": gettext_lazy(
        "Final notice at least this many business days before shutoff"
    ),
    "notice_after_bill_mailed_days": gettext_lazy(
        "Final notice not mailed earlier than this many days after the bill"
    ),
    "notice_to_termination_days": gettext_lazy("Days of notice before termination"),
    "notice_days_start_after_mailing": gettext_lazy(
        "... counted from this many days after the notice is mailed"
    ),
    "contact_hours_before_shutoff": gettext_lazy("Phone or personal contact at least this many hours before"),
    "posted_notice_hours_before_shutoff": gettext_lazy(
        "Else a notice posted at the premise this many hours before"
    ),
    "tenant_notice_days": gettext_lazy("Days of notice to tenants of a landlord-billed building"),
    "shutoff_delinquent_days": gettext_lazy("No shutoff before the bill is this many days delinquent"),
    "avoid_day_before_closure": gettext_lazy("No shutoff on the day before a weekend, holiday or closure"),
    "shutoff_for_non_water_charges": gettext_lazy("Water may be shut off for sewer or refuse charges alone"),
    "arrangement_max_months": gettext_lazy("Longest payment arrangement offered, months"),
    "arrangement_breach_days": gettext_lazy("An installment this many days past due breaks the arrangement"),
    "broken_arrangement_notice_business_days": gettext_lazy(
        "After a broken arrangement, business days after a posted final notice"
    ),
    "reconnect_fee_business_cents": gettext_lazy("Reconnection fee in business hours (cents)"),
    "reconnect_fee_after_hours_cents": gettext_lazy("Reconnection fee after hours (cents)"),
    "reconnect_cap_index": gettext_lazy(
        "CPI factor of the low-income fee caps ($50 / $150 in 2021), by year"
    ),
    "deposit_multiple": gettext_lazy("Deposit, times the average monthly bill"),
    "deposit_multiple_after_disconnection": gettext_lazy(
        "Deposit after a disconnection, times the average bill"
    ),
    "writeoff_after_days": gettext_lazy(
        "Write-off of a closed account's final bill, days after its due date"
    ),
    "languages": gettext_lazy("Languages notices are sent in"),
    "policy_url": gettext_lazy("Web address of the written policy (printed on notices)"),
    "policy_phone": gettext_lazy("Telephone number printed on notices"),
}


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def policy_rows(document: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"key": key, "value": _value(value), "meaning": str(KEY_MEANINGS.get(key, "")),
         "statute": STATUTE_OF_KEY.get(key, "")}
        for key, value in document.items()
    ]  # fmt: skip


@requires("collections.view")
def policy_page(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    versions = list(CollectionsPolicyVersion.objects.select_related("loaded_by").order_by("-effective_from"))
    current = next((v for v in versions if v.effective_from <= today), None)
    return render(
        request,
        "web/collections/policy.html",
        {
            "today": today,
            "versions": versions,
            "current": current,
            "rows": policy_rows(policy_on(today).to_document()),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("collections.policy")
def policy_new(request: HttpRequest) -> HttpResponse:
    """Load a new version; every problem of the text is listed with its key and line (nothing stored)."""
    today = clock.today()
    form = PolicyVersionForm(
        request.POST or None,
        request.FILES or None,
        initial={"text": policy_to_yaml(policy_on(today)), "effective_from": today},
    )
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            parse_policy(
                form.cleaned_data["text"],
                penalty_revenue_funds=penalty_revenue_funds(),
                service_funds=service_funds(),
            )
        except PolicyFileError as error:
            problems = error.problems
            form.add_error("file" if form.cleaned_data.get("file") else "text",
                           _("The policy was not loaded: %(count)d problem(s), listed by key below.")
                           % {"count": len(problems)})  # fmt: skip
        else:
            version = call_service(
                form,
                policy_version_load,
                text=form.cleaned_data["text"],
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                at=clock.now(),
            )
            if version is not None:
                messages.success(
                    request,
                    _("The collections policy taking effect on %(date)s is stored.")
                    % {"date": version.effective_from.isoformat()},
                )
                return redirect("collections-policy")
    status = 422 if form.errors else 200
    return render(
        request, "web/collections/policy_new.html", {"form": form, "problems": problems}, status=status
    )
