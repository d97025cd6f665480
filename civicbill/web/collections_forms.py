"""Forms of the collections pages of the policy area: a new policy version and the aging filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.collections.aging_selectors import GROUPINGS
from civicbill.customers.models import Premise
from civicbill.web.ui import DateInput, StaffForm


class PolicyVersionForm(StaffForm):
    """A new collections policy version: the YAML (pasted, prefilled with the policy in force, or a
    file), the day it takes effect and the reason."""

    effective_from = forms.DateField(
        label=_("Takes effect on"),
        widget=DateInput,
        help_text=_("Today or later: a policy never changes what past runs did."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("For the record, e.g. the council resolution that adopted it."),
    )
    file = forms.FileField(label=_("Policy file (YAML)"), required=False)
    text = forms.CharField(
        label=_("Or edit the policy text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "One key per line; a key left out takes its lawful default. A wrong key is shown with its line."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text; save it as UTF-8 and upload it again."))
        if not (data.get("text") or "").strip() and not self.has_error("file"):
            self.add_error("text", _("Upload the policy file or paste its text."))
        return data


BY_LABELS = {
    "account": _("Account"),
    "service": _("Service"),
    "fund": _("Fund"),
    "class": _("Premise type"),
    "cycle": _("Billing cycle"),
}


class AgingFilterForm(StaffForm):
    as_of = forms.DateField(label=_("As of"), widget=DateInput, required=False)
    by = forms.ChoiceField(label=_("Rows per"), choices=[(key, BY_LABELS[key]) for key in GROUPINGS],
                           required=False)  # fmt: skip
    service = forms.ChoiceField(
        label=_("Service"),
        required=False,
        choices=[("", _("All")), ("water", _("Water")), ("sewer", _("Sewer")), ("refuse", _("Refuse")),
                 ("fire_line", _("Fire line"))],
    )  # fmt: skip
    premise_type = forms.ChoiceField(
        label=_("Premise type"), required=False, choices=[("", _("All")), *Premise.PremiseType.choices]
    )
    cycle = forms.IntegerField(label=_("Billing cycle"), required=False, min_value=1, max_value=99)
