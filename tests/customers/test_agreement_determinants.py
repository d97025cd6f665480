"""Issue 13: the determinants an agreement carries (refuse containers and size, fire service size)."""

from __future__ import annotations

import pytest

from civicbill.core.exceptions import ApplicationError
from civicbill.customers.services import AgreementSpec
from civicbill.customers.services.accounts import clean_agreement_spec


def test_a_spec_of_two_items_still_reads_as_before() -> None:
    assert clean_agreement_spec(("water", "W-RES")) == AgreementSpec("water", "W-RES", None, "", "")


def test_the_fire_service_size_is_kept_in_meter_size_spelling() -> None:
    spec = clean_agreement_spec(AgreementSpec("fire_line", "F-LINE", service_size='1 1/2"'))
    assert spec.service_size == "1-1/2"
    assert clean_agreement_spec(("refuse", "R-96GAL", 2, "96")).containers == 2


REFUSE, FIRE = ("refuse", "R-96GAL"), ("fire_line", "F-LINE")


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        (("water", "W-RES", 2), "containers", "Containers and their size are for a refuse service only."),
        ((*REFUSE, 0), "containers", "Containers must be 1 to 99, not 0."),
        ((*REFUSE, "2"), "containers", "Containers must be a whole number, not '2'."),
        (("water", "W-COM", None, "", "4"), "service_size", "A service size is for a fire line only."),
        (
            (*FIRE, None, "", "big"),
            "service_size",
            "Service size must be a size in inches like 4 or 1-1/2, not 'big'.",
        ),
    ],
)
def test_a_determinant_that_does_not_fit_the_service_is_refused_naming_the_field(
    spec: tuple[object, ...], field: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as error:
        clean_agreement_spec(spec)
    assert (error.value.field, error.value.message) == (field, message)
