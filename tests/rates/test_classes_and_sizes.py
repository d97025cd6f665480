"""The class a premise type rates as, and meter size spellings."""

from __future__ import annotations

import pytest

from civicbill.customers.models import Premise
from civicbill.rates.classes import customer_class_for_premise_type
from civicbill.rates.sizes import normalize_size, owrs_size


def test_every_premise_type_has_a_class():
    assert {kind: customer_class_for_premise_type(kind) for kind in Premise.PremiseType.values} == {
        "single_family": "RESIDENTIAL_SINGLE",
        "multi_family": "RESIDENTIAL_MULTI",
        "commercial": "COMMERCIAL",
        "industrial": "INDUSTRIAL",
        "irrigation": "IRRIGATION",
        "institutional": "INSTITUTIONAL",
    }


def test_an_unknown_premise_type_is_refused_by_name():
    with pytest.raises(ValueError, match="no customer class for premise type 'barn'"):
        customer_class_for_premise_type("barn")


@pytest.mark.parametrize("spelling", ['1|1/2"', '1 1/2"', "1-1/2", "1.5", "1½", ' 1 1/2" '])
def test_one_and_a_half_inch_in_every_spelling(spelling):
    assert normalize_size(spelling) == "1-1/2"


def test_owrs_spelling():
    assert (owrs_size("3/4"), owrs_size("1-1/2"), owrs_size("10")) == ('3/4"', '1|1/2"', '10"')
    assert normalize_size('5/8"') == "5/8"
