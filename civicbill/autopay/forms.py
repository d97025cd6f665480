"""Autopay forms: views validate here, services execute (and check again).

A bank account number field never renders its value back into the page (:class:`NoEchoInput`): when
a form comes back with an error, the number is typed again rather than shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.autopay import rules
from civicbill.autopay.models import AccountType, AchReturn, Enrollment
from civicbill.web.forms import DateInput, StaffForm


class NoEchoInput(forms.TextInput):
    """A text input that never writes the value it was given back into the HTML."""

    def format_value(self, value: Any) -> str | None:
        return None


def _no_echo(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=40,
        widget=NoEchoInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )


class BankDetailsForm(StaffForm):
    routing_number = forms.CharField(
        label=_("Routing number (9 digits)"),
        max_length=9,
        min_length=9,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    account_number = _no_echo(_("Bank account number"))
    account_number_again = _no_echo(_("Bank account number again"))
    account_type = forms.ChoiceField(label=_("Account type"), choices=AccountType.choices)

    def clean_routing_number(self) -> str:
        routing = str(self.cleaned_data["routing_number"]).strip()
        problem = rules.routing_number_problem(routing)
        if problem:
            raise forms.ValidationError(problem)
        return routing

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first = rules.clean_account_number(data.get("account_number") or "")
        second = rules.clean_account_number(data.get("account_number_again") or "")
        if "account_number" in data:
            problem = rules.account_number_problem(first)
            if problem:
                self.add_error("account_number", problem)
            elif first != second:
                self.add_error("account_number_again", _("The two account numbers differ; type both again."))
        return data


class EnrollForm(BankDetailsForm):
    holder_name = forms.CharField(
        label=_("Name on the bank account (blank: the customer)"), max_length=22, required=False
    )
    authorized_by = forms.CharField(label=_("Authorized by (the account holder)"), max_length=120)
    authorized_on = forms.DateField(label=_("Authorization signed on"), widget=DateInput)


class BankChangeForm(BankDetailsForm):
    note = forms.CharField(label=_("Note (why the change)"), max_length=200, required=False)


class EndForm(StaffForm):
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[
            (Enrollment.EndReason.CUSTOMER_REQUEST.value, Enrollment.EndReason.CUSTOMER_REQUEST.label),
            (Enrollment.EndReason.OTHER.value, Enrollment.EndReason.OTHER.label),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DraftForm(StaffForm):
    effective_date = forms.DateField(label=_("Effective entry date (a business day)"), widget=DateInput)


class CancelDraftForm(StaffForm):
    reason = forms.CharField(label=_("Why cancel this file"), max_length=200)


class ReturnFileForm(StaffForm):
    file = forms.FileField(label=_("Return or notification-of-change file (NACHA)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB; import it with the command line."))
        return upload


class ResolveForm(StaffForm):
    trace_number = forms.RegexField(
        label=_("Trace number of the draft entry"),
        regex=r"^\d{15}$",
        error_messages={"invalid": _("A trace number has 15 digits.")},
    )


class EnrollmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Enrollment.Status.choices], required=False
    )
    q = forms.CharField(label=_("Account or name"), max_length=60, required=False)


class ReturnFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("All")), *AchReturn.Outcome.choices], required=False
    )
