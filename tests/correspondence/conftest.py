from __future__ import annotations

from typing import Any

import pytest

from civicbill.customers.models import Account
from tests.workorders.site import Site, make_site


@pytest.fixture
def site(rosa_account: Account, technician: Any) -> Site:
    return make_site(rosa_account, technician)
