from decimal import Decimal

import pytest

from civicbill.meters.consumption import Consumption, NotPlausibleError, Register, consumption_between, to_hcf

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
