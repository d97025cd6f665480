"""Letter pages: a letter as PDF (what the customer receives) or as HTML (a quick preview)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civicbill.core.exceptions import NotFoundError
from civicbill.correspondence.render import letter_html, letter_pdf
from civicbill.correspondence.selectors import letter_get
from civicbill.web.permissions import requires


@requires("customers.view")
def letter_pdf_view(request: HttpRequest, letter_id: int) -> HttpResponse:
    try:
        letter = letter_get(letter_id)
    except NotFoundError as error:
        return render(request, "web/not_found.html", {"message": error.message}, status=404)
    response = HttpResponse(letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="letter-{letter.pk}-{letter.kind}-{letter.language}.pdf"'
    )
    return response


@requires("customers.view")
def letter_html_view(request: HttpRequest, letter_id: int) -> HttpResponse:
    try:
        letter = letter_get(letter_id)
    except NotFoundError as error:
        return render(request, "web/not_found.html", {"message": error.message}, status=404)
    return HttpResponse(letter_html(letter))
