"""The payment arrangement form of the account collections page (issue 14, area "arrangements")."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.collections.models import ArrangementKind
from civicbill.core.exceptions import ApplicationError
from civicbill.core.money import Money
from civicbill.web.ui import DateInput, StaffForm


class ArrangementForm(StaffForm):
    """Kind, amount (default: the past-due balance), months and first due date, or for an alternative
    schedule one installment a line ``YYYY-MM-DD AMOUNT``."""

    service_fields: ClassVar[dict[str, str]] = {
        "amount": "amount", "dates": "schedule", "amounts": "schedule", "account": "", "status": "",
    }  # fmt: skip

    kind = forms.ChoiceField(label=_("Kind"), choices=ArrangementKind.choices)
    amount = forms.CharField(
        label=_("Amount arranged"), required=False, help_text=_("Leave empty for the past-due balance.")
    )
    months = forms.IntegerField(label=_("Monthly installments"), required=False, min_value=1)
    first_due_on = forms.DateField(label=_("First installment due on"), required=False, widget=DateInput)
    schedule = forms.CharField(
        label=_("Alternative schedule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One installment a line: date and amount, e.g. 2027-01-15 40.00"),
    )
    terms = forms.CharField(label=_("Terms"), required=False, max_length=500)
    language = forms.ChoiceField(
        label=_("Agreement language"),
        choices=(("", _("The customer's")), ("en", "English"), ("es", "Español")),
        required=False,
    )

    def clean_amount(self) -> int | None:
        text = self.cleaned_data.get("amount", "").strip()
        if not text:
            return None
        try:
            return Money.parse(text).cents
        except (ValueError, ApplicationError) as error:
            raise forms.ValidationError(_("Write an amount like 125.50.")) from error

    def clean_schedule(self) -> list[tuple[dt.date, int]]:
        rows = []
        for number, line in enumerate(self.cleaned_data.get("schedule", "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                if len(parts) != 2:
                    raise ValueError(line)
                rows.append((dt.date.fromisoformat(parts[0]), Money.parse(parts[1]).cents))
            except (ValueError, ApplicationError) as error:
                raise forms.ValidationError(
                    _("Line %(line)s: write a date and an amount, e.g. 2027-01-15 40.00") % {"line": number}
                ) from error
        return rows

    def service_options(self) -> dict[str, Any]:
        data = self.cleaned_data
        schedule = data.get("schedule") or []
        return {
            "kind": data["kind"],
            "amount_cents": data.get("amount"),
            "months": data.get("months"),
            "first_due_on": data.get("first_due_on"),
            "dates": [day for day, _ in schedule],
            "amounts": [cents for _, cents in schedule],
        }


class CancelForm(StaffForm):
    reason = forms.CharField(label=_("Why cancel"), max_length=200)
