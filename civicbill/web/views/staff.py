"""Staff users and their credentials: an administrator's Staff pages (list, create, role, deactivate,
temporary password, API tokens) and everyone's own Change password and API tokens pages. The
services in civicbill.core.staff and civicbill.core.accounts check the permission and audit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from civicbill.core import clock
from civicbill.core.accounts import api_token_create, api_token_revoke, api_tokens_of, is_locked_out
from civicbill.core.exceptions import ApplicationError
from civicbill.core.models import ApiToken
from civicbill.core.permissions import ROLES, has_permission
from civicbill.core.staff import (
    must_change_password,
    password_change,
    role_of,
    staff_password_reset,
    staff_user_create,
    staff_user_set_active,
    staff_user_set_role,
)
from civicbill.web.ui import StaffForm, call_service, form_refusal, message_service, not_found, requires

ROLE_CHOICES = [(role, role) for role in ROLES]


class PasswordChangeForm(StaffForm):
    current = forms.CharField(label=gettext_lazy("Current password"), widget=forms.PasswordInput)
    new = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput, min_length=10)
    new_again = forms.CharField(label=gettext_lazy("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new") and data.get("new_again") is not None and data["new"] != data["new_again"]:
            self.add_error("new_again", _("The two new passwords are not the same."))
        return data


class TokenForm(StaffForm):
    name = forms.CharField(label=gettext_lazy("What the token is for"), max_length=80)
    expires_days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, initial=90)


class StaffCreateForm(StaffForm):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)
    temporary_password = forms.CharField(
        label=gettext_lazy("Temporary password"),
        widget=forms.PasswordInput,
        help_text=gettext_lazy("Give it to them in person; they must change it when they first sign in."),
    )


class RoleForm(StaffForm):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


class TemporaryPasswordForm(StaffForm):
    temporary_password = forms.CharField(
        label=gettext_lazy("Temporary password"),
        widget=forms.PasswordInput,
        help_text=gettext_lazy("They must change it at their next sign-in."),
    )


# -- one's own password and tokens ---------------------------------------------------------------------
@sensitive_post_parameters("current", "new", "new_again")
@require_http_methods(["GET", "POST"])
def password_change_page(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = call_service(
            form,
            password_change,
            user=request.user,  # type: ignore[arg-type]
            current=form.cleaned_data["current"],
            new=form.cleaned_data["new"],
            at=clock.now(),
        )
        if user is not None:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed."))
            return redirect("home")
    context = {"form": form, "required": must_change_password(request.user)}
    status = 422 if request.method == "POST" else 200
    return render(request, "web/staff/password.html", context, status=status)


@require_http_methods(["GET", "POST"])
def my_tokens(request: HttpRequest) -> HttpResponse:
    """List, make and revoke one's own API tokens; a new token is shown once, on this answer only."""
    form = TokenForm(request.POST or None)
    plain = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, plain = api_token_create(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_days=form.cleaned_data["expires_days"],
                actor=request.user,
                at=clock.now(),
            )
        except ApplicationError as error:
            form_refusal(form, error)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "plain": plain,
        "tokens": api_tokens_of(request.user),  # type: ignore[arg-type]
        "now": clock.now(),
    }
    status = 422 if request.method == "POST" and not plain else 200
    return render(request, "web/staff/tokens.html", context, status=status)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    mine = token is not None and token.user_id == request.user.pk
    if token is None or not (mine or has_permission(request.user, "admin.users")):
        return not_found(request, _("There is no such API token."))
    message_service(
        request,
        _("Token %(prefix)s… is revoked.") % {"prefix": token.token_prefix},
        api_token_revoke,
        token=token,
        actor=request.user,
        at=clock.now(),
    )
    if mine:
        return redirect("my-tokens")
    return redirect("staff-user", user_id=token.user_id)


# -- administrators: staff users -----------------------------------------------------------------------
@requires("admin.users")
def staff_list(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    users = User.objects.order_by("username").prefetch_related("groups")
    rows = [
        {"user": user, "role": role_of(user), "locked": is_locked_out(username=user.username, at=now)}
        for user in users
    ]
    return render(request, "web/staff/list.html", {"rows": rows})


@sensitive_post_parameters("temporary_password")
@require_http_methods(["GET", "POST"])
@requires("admin.users")
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = call_service(form, staff_user_create, **form.cleaned_data, actor=request.user, at=clock.now())
        if user is not None:
            messages.success(
                request,
                _("%(user)s can now sign in with the temporary password, and must then choose their own.")
                % {"user": user.username},
            )
            return redirect("staff-user", user_id=user.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "web/staff/create.html", {"form": form}, status=status)


@sensitive_post_parameters("temporary_password")
@require_http_methods(["GET", "POST"])
@requires("admin.users")
def staff_user(request: HttpRequest, user_id: int) -> HttpResponse:
    """One staff user: role, active or not, a temporary password, their API tokens. Each form posts an
    ``action`` (role, deactivate, activate, password)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return not_found(request, _("There is no such staff user."))
    role_form = RoleForm(initial={"role": role_of(user)})
    password_form = TemporaryPasswordForm()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    failed = False
    if action:
        at = clock.now()
        try:
            if action == "role":
                role_form = RoleForm(request.POST)
                if role_form.is_valid():
                    staff_user_set_role(
                        user=user, role=role_form.cleaned_data["role"], actor=request.user, at=at
                    )
                    messages.success(
                        request,
                        _("%(user)s is now %(role)s.") % {"user": user.username, "role": role_of(user)},
                    )
                    return redirect("staff-user", user_id=user.pk)
            elif action in ("deactivate", "activate"):
                staff_user_set_active(user=user, active=action == "activate", actor=request.user, at=at)
                if action == "activate":
                    messages.success(request, _("%(user)s can sign in again.") % {"user": user.username})
                else:
                    messages.success(
                        request,
                        _("%(user)s is deactivated: they can no longer sign in or use API tokens.")
                        % {"user": user.username},
                    )
                return redirect("staff-user", user_id=user.pk)
            elif action == "password":
                password_form = TemporaryPasswordForm(request.POST)
                if password_form.is_valid():
                    staff_password_reset(
                        user=user,
                        temporary_password=password_form.cleaned_data["temporary_password"],
                        actor=request.user,
                        at=at,
                    )
                    messages.success(
                        request,
                        _("%(user)s has a temporary password and must change it at their next sign-in.")
                        % {"user": user.username},
                    )
                    return redirect("staff-user", user_id=user.pk)
        except ApplicationError as error:
            if action == "password":
                form_refusal(password_form, error)
            elif action == "role":
                form_refusal(role_form, error)
            else:
                messages.error(request, error.message)
                return redirect("staff-user", user_id=user.pk)
        failed = True
    context = {
        "staff": user,
        "role": role_of(user),
        "locked": is_locked_out(username=user.username, at=clock.now()),
        "must_change": must_change_password(user),
        "role_form": role_form,
        "password_form": password_form,
        "tokens": api_tokens_of(user),
        "now": clock.now(),
        "is_me": user.pk == request.user.pk,
    }
    return render(request, "web/staff/user.html", context, status=422 if failed else 200)
