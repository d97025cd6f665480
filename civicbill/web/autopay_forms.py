"""Autopay forms: views validate here, services execute (and check again).

A bank account number field never renders its value back into the page (:class:`NoEchoInput`): when
a form comes back with an error, the number is typed again rather than shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.autopay import rules
from civicbill.autopay.models import AccountType, AchReturn, Authorization, Enrollment
from civicbill.autopay.services.enrollment import MAX_DOCUMENT_BYTES, AuthorizationIn
from civicbill.web.ui import DateInput, StaffForm


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


class AuthorizationFields(forms.Form):
    """The customer's authorization of these bank details: how, when, by whom, and its copy (a file,
    or where the copy is kept). Forms that use it are sent as multipart."""

    authorization_method = forms.ChoiceField(
        label=_("How the customer authorized the drafts"), choices=Authorization.Method.choices
    )
    authorized_by = forms.CharField(label=_("Authorized by (the account holder)"), max_length=120)
    authorized_on = forms.DateField(label=_("Authorization given on"), widget=DateInput)
    authorization_document = forms.FileField(
        label=_("Copy of the authorization (signed form, online record or call recording)"), required=False
    )
    authorization_reference = forms.CharField(
        label=_("Or where the copy is kept (file number, recording id)"), max_length=200, required=False
    )

    def clean_authorization_document(self) -> Any:
        upload = self.cleaned_data.get("authorization_document")
        if upload and upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                _("The copy is larger than %(mb)s MB.") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("authorization_document")
            and not str(data.get("authorization_reference") or "").strip()
        ):
            self.add_error(
                "authorization_reference",
                _("Attach a copy of the authorization or say where it is kept."),
            )
        return data

    def authorization(self) -> AuthorizationIn:
        data = self.cleaned_data
        upload = data.get("authorization_document")
        return AuthorizationIn(
            method=data["authorization_method"],
            authorized_on=data["authorized_on"],
            authorized_by=data["authorized_by"],
            reference=data.get("authorization_reference") or "",
            document_name=(upload.name or "authorization") if upload else "",
            document_content_type=(upload.content_type or "application/octet-stream") if upload else "",
            document=upload.read() if upload else b"",
        )


class EnrollForm(AuthorizationFields, BankDetailsForm):
    holder_name = forms.CharField(
        label=_("Name on the bank account (blank: the customer)"), max_length=22, required=False
    )


class BankChangeForm(AuthorizationFields, BankDetailsForm):
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
    effective_date = forms.DateField(label=_("Effective entry date (a banking day)"), widget=DateInput)


class CancelDraftForm(StaffForm):
    reason = forms.CharField(label=_("Why cancel this file"), max_length=200)


class ReturnFileForm(StaffForm):
    file = forms.FileField(label=_("Return or notification-of-change file (NACHA)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB; import it with the command line."))
        return upload


class ReviewForm(StaffForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("dishonor", _("Dishonor (the payment stands)")),
            ("accept", _("Accept (reverse the payment)")),
            ("acknowledge", _("Seen")),
        ],
    )
    note = forms.CharField(label=_("Why"), max_length=200)


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
