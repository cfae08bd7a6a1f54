"""The app's URLs and /bench/floor: a bare view, the least any page can cost on this server."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/floor", floor, name="bench_floor"),
    path("", include("commonground.urls")),
]
