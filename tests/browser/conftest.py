"""Browser tests: a real civicbill server in its own process, driven by Debian's Chromium.

The server is set up exactly as ``make demo`` does it (migrate, demo city, demo users), in a
throw-away database: a SQLite file in a temporary folder, or, when ``DATABASE_URL`` points at
PostgreSQL, a database named after it with ``_browser`` appended. Playwright never downloads a
browser: it launches ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DEMO_PASSWORD = "browser-test-pass-1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _browser_database_url(tmp: Path, suffix: str = "browser") -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / f'{suffix}.sqlite3'}"
    import psycopg

    base, name = url.rsplit("/", 1)
    name = f"{name}_{suffix}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def serve_demo_city(
    tmp: Path,
    *,
    database_suffix: str = "browser",
    with_worker: bool = False,
    extra_env: dict[str, str] | None = None,
    accounts: int = 300,
) -> Iterator[str]:
    """Set up a demo city as ``make demo`` does in a throw-away database and serve it; yields its URL.

    ``with_worker`` also starts a background-task worker (``db_worker``), for pages that start tasks."""
    env = {
        **os.environ,
        "DATABASE_URL": _browser_database_url(tmp, database_suffix),
        "CIVICBILL_VAR_DIR": str(tmp),
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "CIVICBILL_DEBUG": "1",
        **(extra_env or {}),
    }
    cli = [sys.executable, "-m", "civicbill.cli"]
    for command in (
        ["migrate", "--no-input", "-v0"],
        ["demo-city", "--accounts", str(accounts), "--seed", "7"],
        ["demo-users"],
    ):
        done = subprocess.run(cli + command, env=env, capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            raise RuntimeError(f"civicbill {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    port = _free_port()
    log = (tmp / "server.log").open("w")
    processes = [
        subprocess.Popen(  # noqa: S603
            [*cli, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ]
    if with_worker:
        processes.append(
            subprocess.Popen(  # noqa: S603
                [*cli, "db_worker", "--no-reload", "--interval", "0.2", "--no-startup-delay"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/login/", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or processes[0].poll() is not None:
                    raise RuntimeError(f"the demo server did not start; see {tmp / 'server.log'}") from None
                time.sleep(0.3)
        yield url
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo_city(tmp_path_factory.mktemp("browser-server"))


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 768},
        )
        yield context
        context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    browser.clear_cookies()
    page = browser.new_page()
    page.set_default_timeout(15_000)
    yield page
    page.close()


def sign_in(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server}/")
