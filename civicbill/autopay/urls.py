"""Autopay pages, mounted at the site root by civicbill/web/urls.py: ``/autopay/...`` and the account
page's panel at ``/accounts/<number>/autopay/...``."""

from django.urls import path

from civicbill.autopay import views

urlpatterns = [
    path("autopay/", views.enrollments_list, name="autopay-enrollments"),
    path("autopay/drafts/", views.drafts_list, name="autopay-drafts"),
    path("autopay/drafts/<int:draft_file_id>/", views.draft_page, name="autopay-draft"),
    path("autopay/drafts/<int:draft_file_id>/download/", views.draft_download, name="autopay-draft-download"),
    path("autopay/drafts/<int:draft_file_id>/cancel/", views.draft_cancel, name="autopay-draft-cancel"),
    path("autopay/returns/", views.returns_list, name="autopay-returns"),
    path("autopay/returns/files/<int:return_file_id>/", views.return_file_page, name="autopay-return-file"),
    path("autopay/returns/<int:return_id>/resolve/", views.return_resolve, name="autopay-return-resolve"),
    path("autopay/review/", views.review_list, name="autopay-review"),
    path("autopay/review/<int:return_id>/", views.review_decide, name="autopay-review-decide"),
    path(
        "autopay/authorizations/<int:authorization_id>/document/",
        views.authorization_document,
        name="autopay-authorization-document",
    ),
    path("autopay/report/", views.report, name="autopay-report"),
    path("accounts/<str:number>/autopay/", views.account_panel, name="account-autopay"),
    path("accounts/<str:number>/autopay/enroll/", views.enroll, name="account-autopay-enroll"),
    path("accounts/<str:number>/autopay/bank/", views.bank_change, name="account-autopay-bank"),
    path("accounts/<str:number>/autopay/end/", views.end, name="account-autopay-end"),
]
