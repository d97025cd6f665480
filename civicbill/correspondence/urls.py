from django.urls import path

from civicbill.correspondence import views

urlpatterns = [
    path("<int:letter_id>.pdf", views.letter_pdf_view, name="letter-pdf"),
    path("<int:letter_id>/", views.letter_html_view, name="letter"),
]
