"""Charge descriptions and units on a Spanish bill; numbers and dates as printed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from civicbill.core.wording import (
    charge_description,
    long_date,
    month_year,
    quantity_text,
    quantity_with_unit,
    short_date,
)


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ('Meter charge (3/4" meter)', 'Cargo por medidor (medidor de 3/4")'),
        ("Water usage, tier 1 (0–41 HCF)", "Consumo de agua, nivel 1 (0–41 HCF)"),
        ("Water usage, tier 2 (above 41 HCF)", "Consumo de agua, nivel 2 (más de 41 HCF)"),
        ("Sewer service", "Servicio de alcantarillado"),
        ("Sewer volume (on water use)", "Alcantarillado por volumen (según el agua usada)"),
        ("Refuse collection, 96-gallon cart", "Recolección de basura, bote de 96 galones"),
        ("Minimum charge (to the $20.00 minimum)", "Cargo mínimo (hasta el mínimo de $20.00)"),
        ("Drought surcharge", "Drought surcharge"),  # unknown: left in English, never guessed
    ],
)
def test_spanish_charge_descriptions(english: str, spanish: str) -> None:
    assert charge_description(english, "es") == spanish
    assert charge_description(english, "en") == english


def test_quantities_with_units_follow_the_active_language() -> None:
    assert quantity_with_unit(Decimal("15.0000"), "HCF") == "15 HCF"
    assert quantity_with_unit(Decimal(1), "unit") == "1 unit"
    assert quantity_with_unit(Decimal(2), "container") == "2 containers"
    with translation.override("es"):
        assert quantity_with_unit(Decimal(1), "unit") == "1 unidad"
        assert quantity_with_unit(Decimal(3), "unit") == "3 unidades"


def test_numbers_and_dates_as_printed() -> None:
    assert quantity_text(Decimal("1234.000")) == "1,234"
    assert quantity_text(Decimal("15.50")) == "15.5"
    assert quantity_text(None) == ""
    day = dt.date(2026, 12, 21)
    assert long_date(day, "en") == "December 21, 2026"
    assert long_date(day, "es") == "21 de diciembre de 2026"
    assert short_date(day, "en") == "Dec 21, 2026"
    assert month_year(dt.date(2025, 11, 1), "es") == "noviembre de 2025"
