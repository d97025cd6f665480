"""The shared fixtures live in ``tests/fixtures/``, registered here once for every test directory."""

pytest_plugins = [
    "tests.fixtures.users",
    "tests.fixtures.clock",
    "tests.fixtures.accounts",
    "tests.fixtures.billing",
    "tests.fixtures.payments",
    "tests.fixtures.sites",
]
