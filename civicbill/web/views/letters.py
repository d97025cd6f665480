"""Letter pages: a letter as PDF (what the customer receives) or as HTML (a quick preview). The letter
documents themselves are the correspondence app's (``correspondence.render``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from civicbill.core.exceptions import NotFoundError
from civicbill.correspondence.models import Letter
from civicbill.correspondence.render import letter_html, letter_pdf
from civicbill.correspondence.selectors import letter_get
from civicbill.web.ui import not_found, requires


def _letter_or_404(request: HttpRequest, letter_id: int) -> Letter | HttpResponse:
    try:
        return letter_get(letter_id)
    except NotFoundError as error:
        return not_found(request, error.message)


@requires("customers.view")
def letter_pdf_view(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = _letter_or_404(request, letter_id)
    if isinstance(letter, HttpResponse):
        return letter
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="letter-{letter.pk}-{letter.kind}-{letter.language}.pdf"'
    )
    return response


@requires("customers.view")
def letter_html_view(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = _letter_or_404(request, letter_id)
    if isinstance(letter, HttpResponse):
        return letter
    return HttpResponse(letter_html(letter))
