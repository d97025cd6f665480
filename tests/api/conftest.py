"""A real civicbill server for the API's over-the-wire tests (real HTTP client, schemathesis).

A small demo city (as ``make demo`` sets it up, 40 accounts) in a throw-away database of its own,
served by ``runserver`` in its own process; bearer tokens made with the real ``civicbill api-token``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.server import serve_demo_city


@dataclass(frozen=True)
class ApiServer:
    url: str
    var_dir: Path
    database_url: str

    def token(self, username: str) -> str:
        """A new bearer token for a demo user (csr, supervisor, admin ...)."""
        env = {**os.environ, "DATABASE_URL": self.database_url, "CIVICBILL_VAR_DIR": str(self.var_dir)}
        done = subprocess.run(  # noqa: S603 - our own console script
            [sys.executable, "-m", "civicbill.cli", "api-token", username, "--name", "tests"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        found = re.findall(r"cb_[A-Za-z0-9_-]+", done.stdout)
        assert found, done.stdout
        return found[-1]


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    tmp = tmp_path_factory.mktemp("api-server")
    for url in serve_demo_city(tmp, database_suffix="api", accounts=40):
        yield ApiServer(url=url, var_dir=tmp, database_url=_database_url(tmp, "api"))


def _database_url(tmp: Path, suffix: str) -> str:
    """The database serve_demo_city made (tests.fixtures.server.scratch_database_url's naming)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / f'{suffix}.sqlite3'}"
    base, name = url.rsplit("/", 1)
    return f"{base}/{name}_{suffix}"
