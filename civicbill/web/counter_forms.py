"""Forms of the counter pages (cashiering): views validate here, the payments services execute."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from civicbill.core.money import (
    MAX_AMOUNT_CENTS,
    MAX_TEXT_LENGTH,
    AmountLimitError,
    Money,
    MoneyError,
    format_cents,
)
from civicbill.payments.tenders import CASH_DENOMINATIONS_CENTS, TenderInput
from civicbill.web.ui import StaffForm


def amount_problem(text: str, error: MoneyError) -> str:
    """What to tell the cashier about ``text`` that ``Money.parse`` refused."""
    shown = text if len(text) <= 40 else text[:40] + "…"
    if isinstance(error, AmountLimitError):
        return _("“%(text)s” is over the limit of %(limit)s for one amount.") % {
            "text": shown,
            "limit": format_cents(MAX_AMOUNT_CENTS),
        }
    return _("“%(text)s” is not an amount: type dollars and cents, like 90.01.") % {"text": shown}


class MoneyField(forms.CharField):
    """An amount typed by a person (``1,234.50``, ``$12``) → Money; never negative."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TEXT_LENGTH)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "money-input"})

    def clean(self, value: Any) -> Money | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            money = Money.parse(text)
        except MoneyError as error:
            raise forms.ValidationError(amount_problem(text, error)) from None
        if money.is_negative():
            raise forms.ValidationError(_("The amount cannot be negative."))
        return money


class DrawerOpenForm(StaffForm):
    drawer = forms.ChoiceField(label=_("Drawer"))
    starting_float = MoneyField(label=_("Starting float you counted"))

    def __init__(self, *args: Any, drawers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["drawer"])
        field.choices = drawers


class TenderFieldsMixin(forms.Form):
    """Cash / check / money order / card; several filled in = a split tender."""

    cash = MoneyField(label=_("Cash handed over"), required=False)
    check_amount = MoneyField(label=_("Check amount"), required=False)
    check_number = forms.CharField(label=_("Check number"), max_length=20, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False)
    money_order = MoneyField(label=_("Money order amount"), required=False)
    card_amount = MoneyField(label=_("Card amount"), required=False)
    card_reference = forms.CharField(
        label=_("Card authorization reference"),
        max_length=60,
        required=False,
        help_text=_("From the card terminal. Never type the card number."),
    )
    payer_name = forms.CharField(label=_("Paid by (optional)"), max_length=120, required=False)
    confirm_large_tender = forms.BooleanField(
        label=_("I checked: the customer really hands over this much"),
        required=False,
        help_text=_("Needed when the tender is more than 10 times the amount, or over $10,000.00 in cash."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def tenders(self) -> list[TenderInput]:
        data = self.cleaned_data
        found: list[TenderInput] = []
        if data.get("cash"):
            found.append(TenderInput("cash", data["cash"]))
        if data.get("check_amount"):
            found.append(
                TenderInput(
                    "check",
                    data["check_amount"],
                    check_number=data.get("check_number", ""),
                    bank_name=data.get("bank_name", ""),
                )
            )
        if data.get("money_order"):
            found.append(TenderInput("money_order", data["money_order"]))
        if data.get("card_amount"):
            found.append(
                TenderInput("card", data["card_amount"], card_reference=data.get("card_reference", ""))
            )
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.tenders():
            raise forms.ValidationError(_("Enter how the customer pays: cash, check, money order or card."))
        return cleaned


class PaymentForm(StaffForm, TenderFieldsMixin):
    """Amounts per account are posted as ``amount-<account number>`` (read by the view)."""


class MiscReceiptForm(StaffForm, TenderFieldsMixin):
    receipt_code = forms.ChoiceField(label=_("Receipt code"))
    reference = forms.CharField(
        label=_("Reference (citation, license or permit number)"), max_length=60, required=False
    )
    amount = MoneyField(label=_("Amount"))

    field_order = ["receipt_code", "reference", "amount"]

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["receipt_code"])
        field.choices = codes


class VoidForm(StaffForm):
    reason = forms.CharField(label=_("Reason for the void"), max_length=200)
    supervisor = forms.CharField(label=_("Approving supervisor's user name"), max_length=150)
    supervisor_password = forms.CharField(
        label=_("Supervisor's password"), widget=forms.PasswordInput(render_value=False)
    )


def denomination_label(cents: int) -> str:
    return f"${cents // 100}" if cents >= 100 else f"{cents}¢"


class DrawerCloseForm(StaffForm):
    """The count: so many of each note and coin, and the totals of checks, money orders and cards."""

    check_count = forms.IntegerField(label=_("Number of checks"), min_value=0, initial=0)
    check_total = MoneyField(label=_("Checks total"), initial="0.00")
    money_order_count = forms.IntegerField(label=_("Number of money orders"), min_value=0, initial=0)
    money_order_total = MoneyField(label=_("Money orders total"), initial="0.00")
    card_count = forms.IntegerField(label=_("Number of card slips"), min_value=0, initial=0)
    card_total = MoneyField(label=_("Card batch total"), initial="0.00")
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for cents in CASH_DENOMINATIONS_CENTS:
            self.fields[f"cash_{cents}"] = forms.IntegerField(
                label=denomination_label(cents), min_value=0, initial=0, required=False
            )
            self.fields[f"cash_{cents}"].widget.attrs.update(
                {"inputmode": "numeric", "data-denomination": str(cents), "class": "count-input"}
            )

    def cash_fields(self) -> list[Any]:
        return [self[f"cash_{cents}"] for cents in CASH_DENOMINATIONS_CENTS]


class ApproveForm(StaffForm):
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)


class DrawerAddForm(StaffForm):
    location_code = forms.CharField(label=_("Location code"), max_length=20, initial="CH")
    location_name = forms.CharField(label=_("Location name"), max_length=100, initial="City Hall counter")
    code = forms.CharField(label=_("Drawer code"), max_length=20)
    name = forms.CharField(label=_("Drawer name"), max_length=100)
