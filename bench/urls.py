"""The product's URLs and a trivial view behind the same middleware and login (benchmarks only)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from tiejun import urls as product

handler400 = product.handler400
handler403 = product.handler403
handler404 = product.handler404
handler500 = product.handler500


@login_required
def trivial(request: HttpRequest) -> HttpResponse:
    """What every request costs before a view does anything: session, user, middleware."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    *product.urlpatterns,
]
