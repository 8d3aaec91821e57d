from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from tiejun.api import api
from tiejun.org import views as org_views


def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the app answers and the database answers."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("tiejun.accounts.urls")),
    path("rules/", include("tiejun.rules.urls")),
    path("reminders/", include("tiejun.reminders.urls")),
    path("", include("tiejun.org.urls")),
    path("", include("tiejun.life.urls")),
    path("jobs/", include("tiejun.jobs.urls")),
    path("api/v1/", api.urls),
]

handler400 = "tiejun.errors.bad_request"
handler403 = "tiejun.errors.forbidden"
handler404 = "tiejun.errors.not_found"
handler500 = "tiejun.errors.server_error"
