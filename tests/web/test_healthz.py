"""``/healthz`` (issue 11, production set-up): no sign-in, checks the database, answers JSON,
leaks nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
CIVICBILL = str(Path(sys.executable).with_name("civicbill"))


def test_healthz_answers_without_sign_in(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_says_unavailable_when_the_database_is_gone(tmp_path: Path):
    """A real unreachable database (an SQLite file in a directory that does not exist), in a process
    of its own: 503, and neither the path nor the error text in the answer."""
    missing = tmp_path / "no-such-dir" / "civicbill.sqlite3"
    code = (
        "from django.test import Client; r = Client(HTTP_HOST='localhost').get('/healthz'); "
        "print(r.status_code); print(r.content.decode())"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "CIVICBILL_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{missing}",
        "CIVICBILL_LOG_LEVEL": "CRITICAL",
    }
    done = subprocess.run(  # noqa: S603
        [CIVICBILL, "shell", "--no-imports", "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    status, body = done.stdout.splitlines()[:2]
    assert (status, json.loads(body)) == ("503", {"status": "unavailable", "database": "unavailable"})
