"""High water use notices: queued in the customer's language with the facts they state, rendered as
HTML and PDF, sent or cancelled once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from civicbill.core.exceptions import ApplicationError, PermissionDeniedError
from civicbill.core.models import AuditEvent
from civicbill.correspondence.models import Letter, LetterChannel, LetterStatus
from civicbill.correspondence.render import letter_html, letter_pdf
from civicbill.correspondence.services import letter_cancel, letter_mark_sent, letter_queue_high_usage
from civicbill.customers import services as customer_services
from civicbill.meters.models import ReadStatus
from tests.fixtures.database import assert_nothing_changed
from tests.fixtures.sites import Site
from tests.pdf_helpers import pdf_page_count

pytestmark = pytest.mark.django_db
USUAL = Decimal("0.3333")


def _accept(site: Site) -> None:
    """What accepting the exception does to the read (the reads service has its own tests)."""
    site.high_read.status = ReadStatus.ACTUAL
    site.high_read.consumption_hcf = Decimal("45.000")
    site.high_read.save(update_fields=["status", "consumption_hcf"])


def _queue(site: Site, actor: Any, **extra: Any) -> Letter:
    _accept(site)
    return letter_queue_high_usage(
        account=site.account,
        read=site.high_read,
        usual_daily_hcf=USUAL,
        actor=actor,
        work_order_number="WO-000007",
        visit_by=dt.date(2026, 12, 8),
        usual_basis="same_period_last_year",
        **extra,
        as_of=dt.date(2026, 12, 1),
    )


def test_a_spanish_speaking_customer_gets_the_notice_in_spanish_with_exact_facts(site: Site, technician):
    letter = _queue(site, technician)
    assert (letter.language, letter.status, letter.channel) == ("es", LetterStatus.QUEUED, LetterChannel.MAIL)
    assert letter.subject == "Su consumo de agua fue más alto de lo normal"
    assert letter.reference == "WO-000007"
    facts = letter.context
    assert facts["letter_date"] == "2026-12-01"
    assert (facts["read_on"], facts["read_value"]) == ("2026-11-30", "17500")
    assert (facts["previous_read_on"], facts["previous_read_value"]) == ("2026-10-31", "13000")
    assert facts["days"] == 30
    assert (facts["consumption_hcf"], facts["consumption_gallons"]) == ("45.000", "33660")
    assert (facts["daily_hcf"], facts["daily_gallons"]) == ("1.500", "1122")
    assert (facts["usual_daily_hcf"], facts["usual_daily_gallons"]) == ("0.3333", "249")
    assert (facts["times_usual"], facts["percent_of_usual"]) == ("4.5", "450")
    assert facts["customer_name"] == "Rosa Peña"
    assert facts["service_address"] == "52 Avenue 48, Coachella, CA 92236"
    event = AuditEvent.objects.get(action="letter.queue")
    assert event.account_number == site.account.number


def test_the_spanish_letter_is_written_in_spanish(site: Site, technician):
    html = letter_html(_queue(site, technician))
    assert '<html lang="es">' in html
    for words in (
        "Estimado(a) Rosa Peña:",
        "Al leer su medidor de agua el 30 de noviembre de 2026",
        "Agua usada en 30 días",
        "45 HCF (33,660 galones)",
        "unos 1,122 galones",
        "unos 249 galones",
        "aproximadamente <strong>4.5 veces</strong>",
        "lo que usó en las mismas semanas del año pasado",
        "Causas comunes de un consumo alto",
        "Cómo revisar su medidor para detectar una fuga",
        "enfriador evaporativo",
        "orden de trabajo <strong>WO-000007</strong>",
        "a más tardar el <strong>8 de diciembre de 2026</strong>",
        "ajuste por fuga",
        "revisión de su factura",
        "(760) 555-0100",
        "Atentamente",
    ):
        assert words in html, words
    assert "Dear" not in html and "leak" not in html


def test_an_english_speaking_customer_gets_the_notice_in_english(site: Site, technician, csr):
    customer_services.customer_update(customer=site.account.customer, preferred_language="en", actor=csr)
    site.account.refresh_from_db()
    letter = _queue(site, technician)
    assert (letter.language, letter.subject) == ("en", "Your water use was higher than usual")
    html = letter_html(letter)
    for words in (
        "Dear Rosa Peña,",
        "When we read your water meter on November 30, 2026",
        "45 HCF (33,660 gallons)",
        "How to check your meter for a leak",
        "work order <strong>WO-000007</strong>",
        "by <strong>December 8, 2026</strong>",
        "bill review",
    ):
        assert words in html, words


def test_a_paperless_account_with_an_email_gets_it_by_email(site: Site, technician):
    site.account.paperless = True
    site.account.save(update_fields=["paperless"])
    assert _queue(site, technician).channel == LetterChannel.EMAIL


def test_the_letter_pdf_is_one_page_per_side_of_paper_we_expect(site: Site, technician):
    pdf = letter_pdf(_queue(site, technician))
    assert pdf.startswith(b"%PDF-")
    assert pdf_page_count(pdf) == 2


def test_a_read_without_consumption_is_refused_and_nothing_is_queued(site: Site, technician):
    with pytest.raises(
        ApplicationError, match=r"17500 on 2026-11-30 is exception \(awaiting review\), not accepted"
    ):
        letter_queue_high_usage(
            account=site.account,
            read=site.high_read,
            usual_daily_hcf=USUAL,
            actor=technician,
            as_of=dt.date(2026, 12, 1),
        )
    assert Letter.objects.count() == 0
    assert not AuditEvent.objects.filter(action="letter.queue").exists()


def test_a_csr_cannot_queue_a_notice(site: Site, csr):
    _accept(site)
    with assert_nothing_changed(), pytest.raises(PermissionDeniedError):
        _queue(site, csr)
    assert Letter.objects.count() == 0


def test_a_queued_letter_is_sent_once(site: Site, technician, frozen):
    letter = _queue(site, technician)
    sent_at = dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)
    letter_mark_sent(letter=letter, sent_at=sent_at, actor=technician)
    letter.refresh_from_db()
    assert (letter.status, letter.sent_at) == (LetterStatus.SENT, sent_at)
    with pytest.raises(ApplicationError, match="only a queued letter can be sent"):
        letter_mark_sent(letter=letter, sent_at=sent_at, actor=technician)
    with pytest.raises(ApplicationError, match="only a queued letter can be cancelled"):
        letter_cancel(letter=letter, reason="wrong address", actor=technician)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SENT
    assert AuditEvent.objects.filter(action="letter.send").count() == 1


def test_cancelling_needs_a_reason(site: Site, technician):
    letter = _queue(site, technician)
    with pytest.raises(ApplicationError, match="Say why"):
        letter_cancel(letter=letter, reason="  ", actor=technician)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.QUEUED
    letter_cancel(letter=letter, reason="Customer called: pool filled", actor=technician)
    letter.refresh_from_db()
    assert (letter.status, letter.cancel_reason) == (LetterStatus.CANCELLED, "Customer called: pool filled")


def test_staff_open_the_letter_pdf_and_html(client, site: Site, technician, auditor):
    letter = _queue(site, technician)
    client.force_login(auditor)
    response = client.get(f"/workorders/letters/{letter.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    page = client.get(f"/workorders/letters/{letter.pk}/").content.decode()
    assert "Cómo revisar su medidor" in page
    assert client.get("/workorders/letters/999999.pdf").status_code == 404


def test_signed_out_visitors_cannot_open_letters(client, site: Site, technician):
    letter = _queue(site, technician)
    response = client.get(f"/workorders/letters/{letter.pk}.pdf")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
