from django.contrib.auth import views as auth_views
from django.urls import include, path

from civicbill.web.views import accounts, auth, home, ledger, meter_actions, meters, reads, tasks

urlpatterns = [
    path("login/", auth.sign_in, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("search/", home.search, name="search"),
    path("move-in/", accounts.move_in, name="move-in"),
    path("accounts/<str:number>/", accounts.account_page, name="account"),
    path("accounts/<str:number>/notes/", accounts.note_add, name="account-note"),
    path("accounts/<str:number>/interactions/", accounts.interaction_add, name="account-interaction"),
    path("accounts/<str:number>/move-out/", accounts.move_out, name="account-move-out"),
    path("accounts/<str:number>/transfer/", accounts.transfer, name="account-transfer"),
    path("accounts/<str:number>/reads/", accounts.read_add, name="account-read"),
    path("reads/route/", reads.route_entry, name="reads-route"),
    path("reads/route/read/", reads.route_entry_read, name="reads-route-read"),
    path("reads/exceptions/", reads.exceptions_queue, name="reads-exceptions"),
    path(
        "reads/exceptions/<int:exception_id>/decide/", reads.exception_decide, name="reads-exception-decide"
    ),
    path("reads/import/", reads.import_file, name="reads-import"),
    path("meters/", meters.inventory, name="meters"),
    path("meters/receive/", meter_actions.receive, name="meters-receive"),
    path("meters/<str:serial>/", meters.meter_page, name="meter"),
    path("meters/<str:serial>/action/", meter_actions.meter_action, name="meter-action"),
    path("ledger/trial-balance/", ledger.trial_balance_page, name="trial-balance"),
    path("tasks/<str:key>/", tasks.task_progress, name="task-progress"),
    path("workorders/", include("civicbill.workorders.urls")),
]
