"""The staff UI's shared helpers (civicbill/web/ui.py): a service's refusal lands on the field it names
(or the form's own name for it), else above the form; call_service answers None when refused."""

from __future__ import annotations

from django import forms

from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.web.ui import StaffForm, call_service, form_refusal


class _Plain(StaffForm):
    reason = forms.CharField()


class _Renamed(StaffForm):
    service_fields = {"serial": "new_meter_serial", "": "new_meter_serial"}
    refusal_field = "notes"
    new_meter_serial = forms.CharField()
    notes = forms.CharField()


def _refuse(*, field: str | None) -> None:
    raise ApplicationError("No.", field=field)


def _bound(form_class: type[StaffForm]) -> StaffForm:
    form = form_class(dict.fromkeys(form_class.base_fields, "x"))
    assert form.is_valid()
    return form


def test_a_refusal_goes_on_the_field_it_names_else_above_the_form() -> None:
    form = _bound(_Plain)
    form_refusal(form, ApplicationError("Too long.", field="reason"))
    form_refusal(form, ApplicationError("Closed month.", field="accounting_date"))
    assert form.errors["reason"] == ["Too long."]
    assert form.non_field_errors() == ["Closed month."]


def test_a_form_names_the_services_fields_its_own_way() -> None:
    form = _bound(_Renamed)
    form_refusal(form, NotFoundError("No meter 123.", field="serial"))
    form_refusal(form, ApplicationError("Refused.", field=None))
    form_refusal(form, ApplicationError("Other.", field="elsewhere"))
    assert form.errors["new_meter_serial"] == ["No meter 123.", "Refused."]
    assert form.errors["notes"] == ["Other."]


def test_call_service_answers_the_result_or_none_with_the_refusal_on_the_form() -> None:
    form = _bound(_Plain)
    assert call_service(form, lambda *, value: value * 2, value=21) == 42
    assert not form.errors
    assert call_service(form, _refuse, field="reason") is None
    assert form.errors["reason"] == ["No."]
