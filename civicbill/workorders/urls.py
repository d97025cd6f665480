"""Work order pages, mounted at ``/workorders/`` by civicbill/web/urls.py; letters at
``/workorders/letters/`` until correspondence gets its own place in the menu."""

from django.urls import include, path

from civicbill.workorders import views

urlpatterns = [
    path("", views.workorder_list, name="workorders-list"),
    path("new/", views.workorder_new, name="workorder-new"),
    path("field-sheet/", views.field_sheet_page, name="workorders-field-sheet"),
    path("field-sheet.pdf", views.field_sheet_pdf_view, name="workorders-field-sheet-pdf"),
    path("exceptions/<int:exception_id>/reread/", views.reread_request, name="workorder-reread"),
    path("exceptions/<int:exception_id>/high-usage/", views.high_usage_confirm, name="workorder-high-usage"),
    path("letters/", include("civicbill.correspondence.urls")),
    path("<str:number>/", views.workorder_page, name="workorder"),
    path("<str:number>/complete/", views.workorder_complete, name="workorder-complete"),
    path("<str:number>/assign/", views.workorder_assign, name="workorder-assign"),
    path("<str:number>/cancel/", views.workorder_cancel, name="workorder-cancel"),
]
