"""The whole staff UI and every customer document speak Spanish: each string marked for translation in
the code and templates has a Spanish translation in the committed catalogue, none of them fuzzy, and
the compiled catalogue is the one the .po file gives."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PACKAGE = PROJECT / "civicbill"
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgattrib") is None,
    reason="GNU gettext (xgettext, msgattrib) is not installed; .ci/run installs it",
)


def _gettext(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout


def _msgids(po_text: str) -> list[str]:
    return [line[len('msgid "') : -1] for line in po_text.splitlines() if line.startswith('msgid "')]


@pytest.fixture(scope="module")
def extracted_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed catalogue brought up to date with every string the code marks, in a copy."""
    copy = tmp_path_factory.mktemp("catalogue") / "civicbill"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    _gettext(
        sys.executable,
        "-m",
        "django",
        "makemessages",
        "-l",
        "es",
        "--no-location",
        "--no-obsolete",
        "--settings=civicbill.settings",
        cwd=copy,
    )
    return copy / "locale" / "es" / "LC_MESSAGES" / "django.po"


@needs_gettext
def test_every_marked_string_has_a_spanish_translation(extracted_catalogue: Path) -> None:
    untranslated = _msgids(_gettext("msgattrib", "--untranslated", "--no-obsolete", str(extracted_catalogue)))
    assert [text for text in untranslated if text] == []


@needs_gettext
def test_no_spanish_translation_is_a_fuzzy_guess(extracted_catalogue: Path) -> None:
    fuzzy = _msgids(_gettext("msgattrib", "--only-fuzzy", "--no-obsolete", str(extracted_catalogue)))
    assert [text for text in fuzzy if text] == []


@needs_gettext
def test_the_committed_catalogue_holds_every_marked_string(extracted_catalogue: Path) -> None:
    committed = set(_msgids(CATALOGUE.read_text(encoding="utf-8")))
    extracted = _msgids(extracted_catalogue.read_text(encoding="utf-8"))
    missing = [text for text in extracted if text not in committed]
    assert missing == []


@needs_gettext
def test_the_compiled_catalogue_matches_the_po_file(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    _gettext("msgfmt", "--check-format", "-o", str(compiled), str(CATALOGUE))
    assert compiled.read_bytes() == (CATALOGUE.parent / "django.mo").read_bytes()
