"""Forms for the work order pages: views validate here (4xx-type problems), services execute."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.core import clock
from civicbill.web.ui import DateInput, StaffForm
from civicbill.workorders.models import Priority, WorkOrder, WorkOrderStatus, WorkOrderType
from civicbill.workorders.rules import completion_problems

ANY = ("", _("Any"))
STATUS_CHOICES = [
    ANY,
    ("active", _("Open or assigned")),
    *WorkOrderStatus.choices,
]


class RegisterReadField(forms.CharField):
    """A register read typed by a person: ``4512``, ``4,512`` or ``4512.5`` → Decimal (None when blank)."""

    default_error_messages = {
        "invalid": _("Enter the read as a number, like 4512 (digits and at most one decimal point)."),
        "negative": _("A read cannot be negative."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            number = Decimal(str(text).replace(",", "").strip())
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if number < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        return number


def _assignee_choices(staff: list[Any]) -> list[tuple[str, str]]:
    return [(str(user.pk), user.get_full_name() or user.username) for user in staff]


class WorkOrderFilterForm(StaffForm):
    work_type = forms.ChoiceField(label=_("Type"), choices=[ANY, *WorkOrderType.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    route = forms.CharField(label=_("Route"), max_length=12, required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    due_before = forms.DateField(label=_("Due before"), required=False, widget=DateInput)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = {str(user.pk): user for user in staff}
        self.fields["assignee"].choices = [ANY, ("unassigned", _("Nobody yet")), *_assignee_choices(staff)]  # type: ignore[attr-defined]

    def assignee_value(self) -> Any:
        chosen = self.cleaned_data.get("assignee") or ""
        if chosen == "unassigned":
            return "unassigned"
        return self.staff.get(chosen)


class WorkOrderCreateForm(StaffForm):
    account_number = forms.CharField(label=_("Account number"), max_length=20)
    work_type = forms.ChoiceField(label=_("Type of work"), choices=WorkOrderType.choices)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    description = forms.CharField(
        label=_("What to do"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def clean_due_on(self) -> dt.date:
        due_on: dt.date = self.cleaned_data["due_on"]
        if due_on < clock.today():
            raise forms.ValidationError(_("The due date is in the past."))
        return due_on


class AssignForm(StaffForm):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = {str(user.pk): user for user in staff}
        self.fields["assignee"].choices = [("", _("Choose a person")), *_assignee_choices(staff)]  # type: ignore[attr-defined]

    def assignee_user(self) -> Any:
        return self.staff.get(self.cleaned_data.get("assignee") or "")


class CancelForm(StaffForm):
    reason = forms.CharField(label=_("Why cancel it"), max_length=200)


class CompleteForm(StaffForm):
    # the completion service's field names → this form's fields
    service_fields = {
        "new_meter": "new_meter_serial",
        "serial": "new_meter_serial",
        "meter_serial": "read_value",
        "value": "read_value",
        "read_on": "completed_on",
        "exchanged_on": "completed_on",
    }
    completed_on = forms.DateField(label=_("Done on"), widget=DateInput)
    read_value = RegisterReadField(label=_("Meter read"))
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    notes = forms.CharField(
        label=_("Notes for the office"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )
    new_meter_serial = forms.CharField(label=_("New meter serial number"), max_length=40, required=False)
    old_read = RegisterReadField(label=_("Old meter's removal read"))
    new_read = RegisterReadField(label=_("New meter's install read"))

    def __init__(self, *args: Any, work_order: WorkOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.work_order = work_order

    def has_exchange(self) -> bool:
        data = self.cleaned_data
        return (
            bool(data.get("new_meter_serial"))
            or data.get("old_read") is not None
            or data.get("new_read") is not None
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_exchange():
            if not data.get("new_meter_serial") and "new_meter_serial" not in self.errors:
                self.add_error("new_meter_serial", _("Give the serial number of the meter you installed."))
            if data.get("old_read") is None and "old_read" not in self.errors:
                self.add_error("old_read", _("Give the last read of the meter you removed."))
            if data.get("new_read") is None and "new_read" not in self.errors:
                self.add_error("new_read", _("Give the read of the meter you installed."))
        if data.get("completed_on") is None or self.errors:
            return data
        work_order = self.work_order
        for problem in completion_problems(
            number=work_order.number,
            work_type=work_order.work_type,
            created_on=clock.business_date(work_order.created_at),
            completed_on=data["completed_on"],
            as_of=clock.today(),
            findings=(data.get("findings") or "").strip(),
            has_read=data.get("read_value") is not None,
            has_exchange=self.has_exchange(),
        ):
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        return data


class FieldSheetForm(StaffForm):
    date = forms.DateField(label=_("Day"), widget=DateInput)
    route = forms.CharField(label=_("Route"), max_length=12, required=False)
    assignee = forms.ChoiceField(label=_("Field worker"), required=False)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = {str(user.pk): user for user in staff}
        self.fields["assignee"].choices = [("", _("Everyone")), *_assignee_choices(staff)]  # type: ignore[attr-defined]

    def assignee_user(self) -> Any:
        return self.staff.get(self.cleaned_data.get("assignee") or "")
