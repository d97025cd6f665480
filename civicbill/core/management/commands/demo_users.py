"""``civicbill demo-users``: one sign-in per role for the demo city (password from DEMO_PASSWORD)."""

from __future__ import annotations

import os
from typing import Any

from civicbill.core.accounts import DEMO_USERS, demo_users_ensure
from civicbill.core.commands import CivicbillCommand

DEFAULT_DEMO_PASSWORD = "civicbill-demo-2026"  # noqa: S105 - demo only, printed by make demo


class Command(CivicbillCommand):
    help = "Create or reset the demo users (csr, technician, supervisor, field, auditor, admin)."

    def run(self, options: dict[str, Any]) -> None:
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        demo_users_ensure(password=password)
        for username, (role, _, _) in DEMO_USERS.items():
            self.stdout.write(f"  {username:<11} {role}")
