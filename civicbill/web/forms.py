"""Forms: views validate here (4xx-type problems), services execute."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.core.utility_services import Service
from civicbill.customers.models import Customer, Interaction, Language, Premise

DEFAULT_RATE_SCHEDULES: dict[str, str] = {
    Service.WATER: "W-RES",
    Service.SEWER: "S-RES",
    Service.REFUSE: "R-96GAL",
    Service.FIRE_LINE: "F-LINE",
}


class DateInput(forms.DateInput):
    input_type = "date"


class StaffForm(forms.Form):
    """Labels without a trailing colon (screen readers read the label as written)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MoveInForm(StaffForm):
    kind = forms.ChoiceField(
        label=_("Customer is a"), choices=Customer.Kind.choices, initial=Customer.Kind.PERSON
    )
    first_name = forms.CharField(label=_("First name"), max_length=80, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    business_name = forms.CharField(label=_("Business name"), max_length=160, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language for bills and letters"), choices=Language.choices
    )

    house_number = forms.CharField(label=_("House number"), max_length=12)
    street_name = forms.CharField(label=_("Street"), max_length=120)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=80, initial="Coachella")
    zip_code = forms.RegexField(
        label=_("ZIP code"),
        regex=r"^\d{5}(-\d{4})?$",
        initial="92236",
        error_messages={"invalid": _("Enter a 5-digit ZIP code (or ZIP+4).")},
    )
    parcel_number = forms.CharField(label=_("Parcel number (APN)"), max_length=20, required=False)
    premise_type = forms.ChoiceField(label=_("Premise type"), choices=Premise.PremiseType.choices)
    dwelling_units = forms.IntegerField(label=_("Dwelling units"), min_value=1, max_value=2000, initial=1)
    billing_cycle = forms.IntegerField(label=_("Billing cycle"), min_value=1, max_value=20, initial=1)

    mailing_same_as_service = forms.BooleanField(
        label=_("Mail bills to the service address"), required=False, initial=True
    )
    mailing_line1 = forms.CharField(label=_("Mailing address"), max_length=120, required=False)
    mailing_line2 = forms.CharField(label=_("Mailing address line 2"), max_length=120, required=False)
    mailing_city = forms.CharField(label=_("Mailing city"), max_length=80, required=False)
    mailing_state = forms.CharField(label=_("Mailing state"), max_length=2, required=False, initial="CA")
    mailing_zip = forms.CharField(label=_("Mailing ZIP code"), max_length=10, required=False)

    service_water = forms.BooleanField(label=_("Water"), required=False, initial=True)
    service_sewer = forms.BooleanField(label=_("Sewer"), required=False, initial=True)
    service_refuse = forms.BooleanField(label=_("Refuse"), required=False, initial=True)
    service_fire_line = forms.BooleanField(label=_("Fire line"), required=False)
    start_date = forms.DateField(label=_("Service starts on"), widget=DateInput)
    paperless = forms.BooleanField(label=_("Paperless bills"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Customer.Kind.BUSINESS and not data.get("business_name"):
            self.add_error("business_name", _("A business customer needs a business name."))
        if data.get("kind") == Customer.Kind.PERSON and not data.get("last_name"):
            self.add_error("last_name", _("A person needs a last name."))
        if not data.get("mailing_same_as_service"):
            for name in ("mailing_line1", "mailing_city", "mailing_zip"):
                if not data.get(name):
                    self.add_error(name, _("Needed when bills go to a different mailing address."))
        if not self.selected_services():
            self.add_error(None, _("Choose at least one service to start."))
        return data

    def selected_services(self) -> list[str]:
        data = getattr(self, "cleaned_data", {})
        return [service for service in Service.values if data.get(f"service_{service}")]


class MoveOutForm(StaffForm):
    end_date = forms.DateField(label=_("Last day of service"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class NoteForm(StaffForm):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the note before saving it."))
        return body


class InteractionForm(StaffForm):
    channel = forms.ChoiceField(label=_("How"), choices=Interaction.Channel.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Interaction.Direction.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )


class TransferForm(StaffForm):
    """The customer moves: last day at the old address, and the new service address."""

    move_date = forms.DateField(label=_("Last day at the current address"), widget=DateInput)
    house_number = MoveInForm.base_fields["house_number"]
    street_name = MoveInForm.base_fields["street_name"]
    unit = MoveInForm.base_fields["unit"]
    city = MoveInForm.base_fields["city"]
    zip_code = MoveInForm.base_fields["zip_code"]
    parcel_number = MoveInForm.base_fields["parcel_number"]
    premise_type = MoveInForm.base_fields["premise_type"]
    dwelling_units = MoveInForm.base_fields["dwelling_units"]
    billing_cycle = MoveInForm.base_fields["billing_cycle"]
