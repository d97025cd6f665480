"""Forms of the account, rates and billing pages: views validate here (4xx-type problems), services
execute. Their base, ``StaffForm``, is in ``civicbill.web.ui``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.core.utility_services import Service
from civicbill.customers.models import Customer, Interaction, Language, Premise
from civicbill.web.ui import DateInput, StaffForm

DEFAULT_RATE_SCHEDULES: dict[str, str] = {
    Service.WATER: "W-RES",
    Service.SEWER: "S-RES",
    Service.REFUSE: "R-96GAL",
    Service.FIRE_LINE: "F-LINE",
}


def _read_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=3,
        help_text=_("Blank: the read already on file for the move, else an estimate (marked estimated)."),
    )


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
    read = _read_field(_("Start read"))
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
    read = _read_field(_("Move-out read"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    # the forwarding address, where the final bill and later letters go (the customer's mailing address)
    mailing_line1 = forms.CharField(label=_("Forwarding address"), max_length=120, required=False)
    mailing_line2 = forms.CharField(label=_("Forwarding address line 2"), max_length=120, required=False)
    mailing_city = forms.CharField(label=_("City"), max_length=80, required=False)
    mailing_state = forms.CharField(label=_("State"), max_length=2, required=False, initial="CA")
    mailing_zip = forms.CharField(label=_("ZIP code"), max_length=10, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mailing_line1") or data.get("mailing_city") or data.get("mailing_zip"):
            for name in ("mailing_line1", "mailing_city", "mailing_zip"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a forwarding address."))
        return data

    def forwarding_address(self) -> dict[str, str] | None:
        data = self.cleaned_data
        if not data.get("mailing_line1"):
            return None
        fields = ("mailing_line1", "mailing_line2", "mailing_city", "mailing_state", "mailing_zip")
        return {name: data.get(name) or "" for name in fields}


class AgreementDeterminantsForm(StaffForm):
    """What the billing run rates an agreement by, besides the use: refuse containers and their
    size, a fire line's service size. Blank clears (containers: the schedule's default of one)."""

    containers = forms.IntegerField(
        label=_("Containers"), required=False, min_value=1, max_value=99,
        help_text=_("Refuse: how many containers are collected. Blank: the schedule's default (one)."),
    )  # fmt: skip
    container_size = forms.CharField(
        label=_("Container size"), required=False, max_length=20, help_text=_("Refuse: e.g. 96 or 3YD.")
    )
    service_size = forms.CharField(
        label=_("Fire service size"), required=False, max_length=6, help_text=_("Fire line: e.g. 4 or 1-1/2.")
    )


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
    move_out_read = _read_field(_("Move-out read at the current address"))
    move_in_read = _read_field(_("Move-in read at the new address"))
    house_number = MoveInForm.base_fields["house_number"]
    street_name = MoveInForm.base_fields["street_name"]
    unit = MoveInForm.base_fields["unit"]
    city = MoveInForm.base_fields["city"]
    zip_code = MoveInForm.base_fields["zip_code"]
    parcel_number = MoveInForm.base_fields["parcel_number"]
    premise_type = MoveInForm.base_fields["premise_type"]
    dwelling_units = MoveInForm.base_fields["dwelling_units"]
    billing_cycle = MoveInForm.base_fields["billing_cycle"]


# --- rates, billing runs and bills (issue 4) ---------------------------------------------------------

MONTH_FORMAT_HELP = _("Year and month, like 2026-11.")


class MonthField(forms.CharField):
    """A billing month typed as ``YYYY-MM`` (``<input type="month">``); cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> Any:
        import datetime as dt

        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(
                _("“%(text)s” is not a month: type it as year-month, like 2026-11."), params={"text": text}
            ) from None


class BillRunStartForm(StaffForm):
    cycle = forms.ChoiceField(label=_("Billing cycle"))
    period = MonthField(label=_("Billing month"), help_text=MONTH_FORMAT_HELP)

    def __init__(self, *args: Any, cycles: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["cycle"])
        field.choices = [("all", _("All cycles")), *(cycles or [])]


class BillExceptionResolveForm(StaffForm):
    resolution = forms.ChoiceField(
        label=_("Decision"), choices=[("released", _("Release: bill it")), ("held", _("Hold: do not bill"))]
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CancelRebillForm(StaffForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Say what was wrong, e.g. “read keyed as 4512, the meter shows 4215”. It goes in the audit trail."
        ),
        error_messages={"required": _("Give the reason for cancelling this bill.")},
    )


class RateVersionForm(StaffForm):
    """A new version of a schedule: the YAML as a file or pasted. Its ``effective_from:`` is the date
    the version takes effect (after today)."""

    file = forms.FileField(label=_("Schedule file (YAML)"), required=False)
    text = forms.CharField(
        label=_("Or edit the schedule text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "Change the prices and set effective_from: to the day the new rates start (after today)."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        data["from_file"] = upload is not None
        if upload is not None:
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text; save it as UTF-8 and upload it again."))
            data["source_name"] = upload.name or "upload.yaml"
        else:
            data["source_name"] = "pasted text"
        if not (data.get("text") or "").strip() and not self.has_error("file"):
            self.add_error("text", _("Upload the schedule file or paste its text."))
        return data


class RateQuoteForm(StaffForm):
    schedule = forms.ChoiceField(label=_("Rate schedule"))
    customer_class = forms.CharField(
        label=_("Customer class"),
        max_length=60,
        widget=forms.TextInput(attrs={"list": "customer-classes", "autocomplete": "off"}),
        help_text=_("As the schedule names it, e.g. RESIDENTIAL_SINGLE."),
    )
    usage = forms.DecimalField(label=_("Usage (HCF)"), min_value=0, max_digits=12, decimal_places=3)
    days = forms.IntegerField(label=_("Days in the period"), min_value=1, max_value=400, required=False)
    cycle_days = forms.IntegerField(
        label=_("Days in the billing cycle"),
        min_value=1,
        max_value=400,
        required=False,
        help_text=_("For part of a cycle (a move-in or move-out): the days prorate by days ÷ cycle days."),
    )
    meter_size = forms.CharField(
        label=_("Meter size"), max_length=12, required=False, help_text=_('e.g. 3/4"')
    )
    variables = forms.CharField(
        label=_("Other variables"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line as NAME=VALUE, e.g. hhsize=3 or et_amount=4.8."),
    )

    def __init__(self, *args: Any, schedules: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["schedule"])
        field.choices = schedules or []

    def clean_variables(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for number, raw in enumerate(self.cleaned_data.get("variables", "").splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise forms.ValidationError(
                    _("Line %(number)s, “%(line)s”: write it as NAME=VALUE."),
                    params={"number": number, "line": line},
                )
            found[name.strip()] = value.strip()
        return found
