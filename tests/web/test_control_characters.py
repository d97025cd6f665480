"""A NUL or another control character in a page's form field or query is refused with 400 naming the
field, before any view sees it (PostgreSQL would refuse the NUL with a 500); tab and line breaks
are text."""

import pytest
from django.test import Client

from civicbill.customers.models import AccountNote
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("character", "named"), [("\x00", "NUL"), ("\x1b", "U+001B"), ("\x7f", "U+007F")])
def test_a_note_with_a_control_character_is_refused_naming_the_field_and_nothing_is_saved(
    client: Client, csr, rosa_account, character, named
):
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            f"/accounts/{rosa_account.number}/notes/",
            {"body": f"Asked about{character} sewer"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 400
    assert response.content.decode() == f"The field “body” holds a control character ({named})."
    assert AccountNote.objects.count() == 0


def test_a_search_with_a_nul_is_refused_naming_the_field(client: Client, csr, rosa_account):
    client.force_login(csr)
    response = client.get("/search/", {"q": "pena\x00rosa"})
    assert (response.status_code, response.content.decode()) == (
        400,
        "The field “q” holds a control character (NUL).",
    )


def test_line_breaks_and_tabs_in_a_note_are_text(client: Client, csr, rosa_account):
    client.force_login(csr)
    response = client.post(
        f"/accounts/{rosa_account.number}/notes/",
        {"body": "Called twice:\r\n\tleft a message"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert AccountNote.objects.get().body.startswith("Called twice:")


def test_the_refusal_is_in_spanish_for_a_spanish_speaking_clerk(client: Client, csr, rosa_account):
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            f"/accounts/{rosa_account.number}/notes/",
            {"body": "x\x00"},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="es",
        )
    assert response.status_code == 400
    assert response.content.decode() == "El campo “body” contiene un carácter de control (NUL)."
