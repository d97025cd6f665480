"""Forms of the collections programs pages: appeals, certifications, third-party contacts, moratoriums."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.collections.models import (
    Appeal,
    CertificationKind,
    IncomeProgram,
    MoratoriumScope,
    ThirdPartyContact,
)
from civicbill.web.ui import DateInput, StaffForm

LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]


class AppealForm(StaffForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Appeal.Kind.choices)
    bill = forms.ChoiceField(label=_("Bill disputed"), required=False)
    reason = forms.CharField(label=_("What the customer disputes"), max_length=500)

    def __init__(self, *args: object, bills: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bill"].choices = [("", _("None (the account)")), *(bills or [])]  # type: ignore[attr-defined]


class AppealDecisionForm(StaffForm):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("upheld", _("Decided: bill stands")),
            ("adjusted", _("Decided: bill adjusted")),
            ("withdrawn", _("Withdrawn")),
        ],
    )
    outcome = forms.CharField(label=_("Outcome"), max_length=500)
    adjustment_entry = forms.CharField(label=_("Adjustment journal entry"), required=False, max_length=36)


class CertificationForm(StaffForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CertificationKind.choices)
    program = forms.ChoiceField(
        label=_("Program (low-income)"), required=False, choices=[("", "—"), *IncomeProgram.choices]
    )
    provider = forms.CharField(label=_("Primary-care provider (medical)"), max_length=160, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=DateInput,
        required=False,
        help_text=_("Blank: low-income 12 months, medical 180 days."),
    )
    evidence = forms.CharField(label=_("Evidence seen"), max_length=300, required=False)


class RevokeForm(StaffForm):
    reason = forms.CharField(label=_("Why"), max_length=200)
    revoked_on = forms.DateField(label=_("No longer applies from"), widget=DateInput, required=False)


class ContactForm(StaffForm):
    reason = forms.ChoiceField(label=_("Because the customer is"), choices=ThirdPartyContact.Reason.choices)
    name = forms.CharField(label=_("Name"), max_length=160)
    line1 = forms.CharField(label=_("Street address"), max_length=120)
    line2 = forms.CharField(label=_("Address line 2"), max_length=120, required=False)
    city = forms.CharField(label=_("City"), max_length=80)
    state = forms.CharField(label=_("State"), max_length=2, initial="CA")
    zip_code = forms.CharField(label=_("ZIP code"), max_length=10)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput, required=False)


class ContactEndForm(StaffForm):
    ended_on = forms.DateField(label=_("Last day"), widget=DateInput, required=False)


class MoratoriumForm(StaffForm):
    starts_on = forms.DateField(label=_("First day"), widget=DateInput)
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput)
    scope = forms.ChoiceField(label=_("Applies to"), choices=MoratoriumScope.choices)
    scope_value = forms.CharField(
        label=_("Cycle, ZIP code or route"),
        max_length=12,
        required=False,
        help_text=_("Blank for all accounts."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class LiftForm(StaffForm):
    lifted_on = forms.DateField(label=_("Last day it applies"), widget=DateInput, required=False)
