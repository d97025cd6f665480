"""Forms of the collections run pages (web/views/collections_run.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.web.ui import DateInput, StaffForm


class CollectionRunForm(StaffForm):
    service_fields = {"run_date": "run_date"}

    run_date = forms.DateField(
        label=_("Run date"),
        widget=DateInput,
        help_text=_("The business date the run acts for (YYYY-MM-DD)."),
        error_messages={
            "required": _("Give the run date."),
            "invalid": _("Write the run date as YYYY-MM-DD."),
        },
    )
    trial = forms.BooleanField(
        label=_("Trial: list what it would do, post nothing"), required=False, initial=True
    )


class WorklistForm(StaffForm):
    day = forms.DateField(
        label=_("Date"),
        widget=DateInput,
        required=False,
        error_messages={"invalid": _("Write the date as YYYY-MM-DD.")},
    )
