"""The staff pages' shared helpers, written once (ADR 0013): every view in ``civicbill/web/views`` uses
these, none keeps its own copy.

- :func:`requires`: the view-level permission check (the services check again: defence in depth);
- :func:`forbidden`, :func:`not_found`: the 403 and 404 pages;
- :func:`account_or_404`: the account of a URL's ``<number>``, or the 404 page;
- :class:`StaffForm`, :class:`DateInput`: the base of every staff form and its date widget;
- :func:`form_refusal`, :func:`call_service`: a service's refusal (``ApplicationError``) shown on the form;
- :func:`message_service`: a button's service (no form to show): its refusal or success as a message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, ClassVar, ParamSpec, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicbill.core.exceptions import ApplicationError, NotFoundError
from civicbill.core.permissions import PERMISSIONS, has_permission
from civicbill.customers import selectors as customer_selectors
from civicbill.customers.models import Account

P = ParamSpec("P")
T = TypeVar("T")


# -- permission, 403 and 404 -----------------------------------------------------------------------------
def forbidden(request: HttpRequest, code: str) -> HttpResponse:
    """The "Not allowed" page naming the permission ``code`` the signed-in person lacks (403)."""
    return render(
        request, "web/forbidden.html", {"permission": code, "what": PERMISSIONS[code][0]}, status=403
    )


def requires(code: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The view answers the "Not allowed" page unless the signed-in person has permission ``code``."""
    if code not in PERMISSIONS:
        raise KeyError(code)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_permission(request.user, code):
                return forbidden(request, code)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    """The "Not found" page with ``message`` (404)."""
    return render(request, "web/not_found.html", {"message": message}, status=404)


def account_or_404(request: HttpRequest, number: str) -> Account | HttpResponse:
    """The account numbered ``number``, or the 404 page saying there is none (return it as it is)."""
    try:
        return customer_selectors.account_get(number)
    except NotFoundError as error:
        return not_found(request, error.message)


# -- forms ----------------------------------------------------------------------------------------------
class DateInput(forms.DateInput):
    input_type = "date"


class StaffForm(forms.Form):
    """Labels without a trailing colon (screen readers read the label as written).

    A service's refusal names the field it is about in its own words (``ApplicationError.field``);
    :func:`form_refusal` shows it on this form's field of that name. A form whose fields are named
    otherwise says so in ``service_fields`` (the service's name → this form's field; ``""`` stands
    for a refusal naming no field), and ``refusal_field`` is where a refusal about none of its fields
    goes (``None``: above the form)."""

    service_fields: ClassVar[Mapping[str, str]] = {}
    refusal_field: ClassVar[str | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def form_refusal(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service's refusal on ``form``: on the field it names, else above the form."""
    field = getattr(form, "service_fields", {}).get(error.field or "", error.field)
    if field not in form.fields:
        field = getattr(form, "refusal_field", None)
    form.add_error(field, error.message)


def call_service(
    form: forms.BaseForm, service: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """``service(*args, **kwargs)``; when it refuses (``ApplicationError``) the refusal goes on ``form``
    (:func:`form_refusal`) and the answer is ``None``. A view tells the two apart by ``form.errors``
    (or by ``None`` when the service returns something)."""
    try:
        return service(*args, **kwargs)
    except ApplicationError as error:
        form_refusal(form, error)
        return None


def message_service(
    request: HttpRequest,
    success: str | Callable[[T], str],
    service: Callable[P, T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T | None:
    """``service(*args, **kwargs)`` for a POST with no form to show again: when it refuses
    (``ApplicationError``) the refusal is an error message and the answer is ``None``; else ``success``
    (or ``success(answer)``) is a success message and the answer is the service's."""
    try:
        result = service(*args, **kwargs)
    except ApplicationError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
