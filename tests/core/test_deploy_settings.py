"""Production settings come from the environment (issue 11, point 9): the configuration documented in
docs/deployment.md passes ``civicbill check --deploy``, a missing secret key is one clear line, and
behind a TLS proxy a sign-in POST is accepted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.test import Client, override_settings

CIVICBILL = str(Path(sys.executable).with_name("civicbill"))
SECRET = "Y4p6l-bNETGjWJaeUO6ILsYN4oQXIWEHwSJ2H67SN7X7cjcDG0Hfd2A6vgbnFb93VP"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The production environment of docs/deployment.md (database: a scratch SQLite file)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "CIVICBILL_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "CIVICBILL_DEBUG": "0",
        "CIVICBILL_SECRET_KEY": SECRET,
        "CIVICBILL_FIELD_KEY": Fernet.generate_key().decode(),
        "CIVICBILL_ALLOWED_HOSTS": "billing.example.gov",
        "CIVICBILL_CSRF_TRUSTED_ORIGINS": "https://billing.example.gov",
        "CIVICBILL_BEHIND_TLS_PROXY": "1",
    }
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [CIVICBILL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_in_the_documented_production_configuration(tmp_path: Path):
    done = _run(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_the_environment_sets_https_proxy_hsts_and_cookies(tmp_path: Path):
    code = (
        "import json; from django.conf import settings as s; print(json.dumps([s.SECURE_PROXY_SSL_HEADER, "
        "s.CSRF_TRUSTED_ORIGINS, s.ALLOWED_HOSTS, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG]))"
    )
    done = _run(["shell", "--no-imports", "-c", code], production_env(tmp_path), tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        ["HTTP_X_FORWARDED_PROTO", "https"],
        ["https://billing.example.gov"],
        ["billing.example.gov"],
        True,
        31536000,
        True,
        True,
        False,
    ]
    bare = production_env(tmp_path, CIVICBILL_HSTS_SECONDS="0")
    del bare["CIVICBILL_BEHIND_TLS_PROXY"]
    done = _run(["shell", "--no-imports", "-c", code], bare, tmp_path)
    assert json.loads(done.stdout)[0] is None and json.loads(done.stdout)[4] == 0


def test_a_missing_secret_key_is_one_clear_line(tmp_path: Path):
    env = production_env(tmp_path)
    del env["CIVICBILL_SECRET_KEY"]
    done = _run(["check"], env, tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "civicbill: CIVICBILL_SECRET_KEY must be set when CIVICBILL_DEBUG=0 "
        "(a long random string; docs/deployment.md)\n"
    )


@pytest.mark.django_db
def test_behind_a_tls_proxy_a_sign_in_post_is_accepted(csr: Any):
    proxied = {
        "HTTP_HOST": "billing.example.gov",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_ORIGIN": "https://billing.example.gov",
        "HTTP_REFERER": "https://billing.example.gov/login/",
    }
    with override_settings(ALLOWED_HOSTS=["billing.example.gov"]):
        without = Client(enforce_csrf_checks=True)
        without.get("/login/", **proxied)
        refused = without.post(
            "/login/",
            {
                "username": "csr",
                "password": "test-password-1",
                "csrfmiddlewaretoken": without.cookies["csrftoken"].value,
            },
            **proxied,
        )
        assert refused.status_code == 403  # Django sees http and the https Origin does not match
    with override_settings(
        ALLOWED_HOSTS=["billing.example.gov"],
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        CSRF_TRUSTED_ORIGINS=["https://billing.example.gov"],
    ):
        client = Client(enforce_csrf_checks=True)
        client.get("/login/", **proxied)
        signed_in = client.post(
            "/login/",
            {
                "username": "csr",
                "password": "test-password-1",
                "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            },
            **proxied,
        )
        assert (signed_in.status_code, signed_in["Location"]) == (302, "/")
