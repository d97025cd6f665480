"""``civicbill permissions-doc``: print the role/permission matrix as Markdown (docs/permissions.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from civicbill.core.commands import CivicbillCommand
from civicbill.core.permissions import permission_matrix_markdown


def permissions_doc() -> str:
    """The whole docs/permissions.md: its hand-written introduction, then the generated matrix."""
    text = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text(encoding="utf-8")
    introduction = text.split("| permission |", 1)[0]
    return introduction + permission_matrix_markdown()


class Command(CivicbillCommand):
    help = "Print docs/permissions.md regenerated from the permission matrix in code."

    def run(self, options: dict[str, Any]) -> None:
        self.stdout.write(permissions_doc(), ending="")
