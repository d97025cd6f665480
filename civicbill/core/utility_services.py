"""The services a utility delivers, and the fund each one's money belongs to."""

from __future__ import annotations

from django.db import models


class Service(models.TextChoices):
    WATER = "water", "Water"
    SEWER = "sewer", "Sewer"
    REFUSE = "refuse", "Refuse"
    FIRE_LINE = "fire_line", "Fire line"


class Fund(models.TextChoices):
    WATER = "water", "Water Fund"
    SEWER = "sewer", "Sewer Fund"
    REFUSE = "refuse", "Refuse Fund"
    GENERAL = "general", "General Fund"


FUND_FOR_SERVICE: dict[str, str] = {
    Service.WATER: Fund.WATER,
    Service.SEWER: Fund.SEWER,
    Service.REFUSE: Fund.REFUSE,
    Service.FIRE_LINE: Fund.WATER,
}
