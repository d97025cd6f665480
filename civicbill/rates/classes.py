"""Customer classes (OWRS names) and the class a premise type rates as. Pure."""

from __future__ import annotations

RESIDENTIAL_SINGLE = "RESIDENTIAL_SINGLE"
RESIDENTIAL_MULTI = "RESIDENTIAL_MULTI"
COMMERCIAL = "COMMERCIAL"
INDUSTRIAL = "INDUSTRIAL"
IRRIGATION = "IRRIGATION"
INSTITUTIONAL = "INSTITUTIONAL"
FIRE_SERVICE = "FIRE_SERVICE"

CUSTOMER_CLASSES = (
    RESIDENTIAL_SINGLE,
    RESIDENTIAL_MULTI,
    COMMERCIAL,
    INDUSTRIAL,
    IRRIGATION,
    INSTITUTIONAL,
    FIRE_SERVICE,
)

_CLASS_FOR_PREMISE_TYPE = {
    "single_family": RESIDENTIAL_SINGLE,
    "multi_family": RESIDENTIAL_MULTI,
    "commercial": COMMERCIAL,
    "industrial": INDUSTRIAL,
    "irrigation": IRRIGATION,
    "institutional": INSTITUTIONAL,
}


def customer_class_for_premise_type(premise_type: str) -> str:
    """The rate class of a premise type (a ``Premise.PremiseType`` value).

    Raises ValueError naming the type when it is not one of the six premise types.
    """
    try:
        return _CLASS_FOR_PREMISE_TYPE[premise_type]
    except KeyError:
        raise ValueError(f"no customer class for premise type {premise_type!r}") from None
