from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicbill.meters.consumption import (
    Consumption,
    NotPlausibleError,
    Register,
    consumption_between,
    hcf_between,
    to_hcf,
)

FIVE_DIAL_CF = Register(dials=5, read_unit="CF")


def test_rollover_on_a_five_dial_register_counts_the_wrap():
    result = consumption_between(
        Register(dials=5, read_unit="HCF"), previous=Decimal(99_986), current=Decimal(11)
    )
    assert result == Consumption(units=Decimal(25), hcf=Decimal(25), rolled_over=True)


def test_cubic_feet_become_hcf_exactly():
    result = consumption_between(FIVE_DIAL_CF, previous=Decimal(4_530), current=Decimal(6_012))
    assert result == Consumption(units=Decimal(1_482), hcf=Decimal("14.82"), rolled_over=False)


def test_a_multiplier_scales_the_register():
    register = Register(dials=4, read_unit="CF", multiplier=Decimal(10))
    assert consumption_between(register, previous=Decimal(100), current=Decimal(150)).hcf == Decimal("5.00")


def test_gallons_convert_at_748_per_hcf():
    assert to_hcf(Decimal(7_480), "GAL") == Decimal("10.000")
    assert to_hcf(Decimal(1), "KGAL") == Decimal("1.337")


def test_a_lower_read_that_is_not_a_plausible_rollover_is_refused_with_the_reason():
    with pytest.raises(
        NotPlausibleError, match=r"Read 4,512 is lower than the previous read 4,530 .* 4-dial"
    ):
        consumption_between(
            Register(dials=4, read_unit="CF"), previous=Decimal(4_530), current=Decimal(4_512)
        )


@given(
    dials=st.integers(1, 10),
    unit=st.sampled_from(["CF", "HCF", "GAL", "KGAL"]),
    multiplier=st.sampled_from([Decimal(1), Decimal(10), Decimal("0.1"), Decimal("2.5"), Decimal("1.0000")]),
    previous=st.decimals(min_value=0, max_value=10**10, places=3, allow_nan=False, allow_infinity=False),
    current=st.decimals(min_value=0, max_value=10**10, places=3, allow_nan=False, allow_infinity=False),
)
@settings(max_examples=400, deadline=None)
def test_the_batch_form_gives_the_same_figures_as_consumption_between(
    dials, unit, multiplier, previous, current
):
    register = Register(dials=dials, read_unit=unit, multiplier=multiplier)
    previous, current = previous % register.capacity, current % register.capacity
    try:
        expected = consumption_between(register, previous=previous, current=current)
    except NotPlausibleError:
        with pytest.raises(NotPlausibleError):
            hcf_between(register)(previous, current)
        return
    hcf, rolled_over = hcf_between(register)(previous, current)
    assert (str(hcf), rolled_over) == (str(expected.hcf), expected.rolled_over)
