"""The notice letters say what SB 998 requires, in English and Spanish, and a run's notices print
as one PDF in mail sort order."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from civicbill.collections.models import CollectionNotice
from civicbill.collections.notice_files import run_notices_print_file
from civicbill.correspondence.render import letter_pdf
from civicbill.customers.models import Customer
from tests.collections.test_notice_step import OWING, run_notices
from tests.pdf_helpers import pdf_texts

D = dt.date


def _text(notice: CollectionNotice) -> str:
    return " ".join(pdf_texts(letter_pdf(notice.letter)))


@pytest.mark.django_db
def test_the_final_notice_states_every_element_the_law_requires_in_english_and_spanish(
    make_account: Any, technician: Any
) -> None:
    english = make_account(owing=OWING, first_name="Mary", last_name="Olson", house="52", street="Avenue 48")
    spanish = make_account(
        owing=OWING, first_name="Rosa", last_name="Peña", house="60", street="Avenue 48", language="es"
    )
    run_notices(D(2027, 1, 14), technician)
    text = _text(CollectionNotice.objects.get(account=english, kind="final"))
    for element in (
        "Mary Olson",
        "52 Avenue 48, Coachella, CA 92236",
        "$90.01",
        "Pay or make an arrangement by",
        "January 29, 2027",
        "Earliest shutoff date",
        "February 1, 2027",
        "extension of time to pay",
        "bill review",
        "appeal",
        "amortization plan",
        "deferred payment",
        "reduced payment",
        "https://www.example-city.gov/water/shutoff-policy",
        "(760) 555-0100",
    ):
        assert element in text, element
    texto = _text(CollectionNotice.objects.get(account=spanish, kind="final"))
    for element in (
        "Rosa Peña",
        "60 Avenue 48, Coachella, CA 92236",
        "$90.01",
        "a más tardar el 29 de enero de 2027",
        "a partir del 1 de febrero de 2027",
        "prórroga",
        "revisión de su factura",
        "apelación",
        "plazos",
        "pago diferido",
        "pago reducido",
        "https://www.example-city.gov/water/shutoff-policy",
        "(760) 555-0100",
    ):
        assert element in texto, element


@pytest.mark.django_db
def test_a_runs_notices_print_in_mail_sort_order_with_the_occupant_copies(
    make_account: Any, technician: Any, tmp_path: Path
) -> None:
    north = make_account(owing=OWING, house="80", street="Avenue 50", zip_code="92236")
    south = make_account(owing=OWING, house="12", street="Avenue 50", zip_code="92236")
    away = make_account(owing=OWING, house="5", street="Grapefruit Blvd", zip_code="92236")
    Customer.objects.filter(pk=away.customer_id).update(mailing_line1="1 Main St", mailing_zip="92201")
    ctx = run_notices(D(2027, 1, 14), technician)
    printed = run_notices_print_file(ctx.run.pk)
    order = [(p.notice.account.number, p.notice.kind, p.notice.recipient_key) for p in printed.printed]
    assert order == [
        (away.number, "final", ""),  # 92201 first
        (south.number, "final", ""),  # Avenue 50: house 12 before 80
        (north.number, "final", ""),
        (away.number, "final_occupant", "occupant:en"),  # Grapefruit Boulevard after Avenue 50
        (away.number, "final_occupant", "occupant:es"),
    ]
    texts = pdf_texts(printed.pdf)
    assert len(texts) == printed.page_count
    assert "Occupant" in texts[printed.printed[3].first_page - 1]
    out = io.StringIO()
    call_command(
        "collections",
        "notices-print",
        "--run",
        str(ctx.run.pk),
        "--out",
        str(tmp_path / "notices.pdf"),
        "--json",
        stdout=out,
    )
    payload = json.loads(out.getvalue())
    assert (payload["notices"], payload["pages"]) == (5, printed.page_count)
    out = io.StringIO()
    call_command("collections", "notices", "--account", away.number, "--json", stdout=out)
    assert [row["kind"] for row in json.loads(out.getvalue())["notices"]] == [
        "final_occupant",
        "final_occupant",
        "final",
    ]
