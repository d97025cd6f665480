from django.contrib.auth import views as auth_views
from django.urls import path

from civicbill.web.views import accounts, auth, home, ledger, tasks

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
    path("ledger/trial-balance/", ledger.trial_balance_page, name="trial-balance"),
    path("tasks/<str:key>/", tasks.task_progress, name="task-progress"),
]
