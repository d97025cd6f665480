from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from civicbill.api.router import api
from civicbill.web.views.health import healthz

urlpatterns = [
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("", include("civicbill.web.urls")),
]
