from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from commonground.api.api import api


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("commonground.accounts.urls")),
    path("api/v1/", api.urls),
    path("o/<slug:org>/people/", include("commonground.people.urls")),
    path("o/<slug:org>/policy/", include("commonground.policies.urls")),
    path("o/<slug:org>/deadlines/", include("commonground.obligations.urls")),
    path("o/<slug:org>/agreements/", include("commonground.agreements.urls")),
    path("o/<slug:org>/meetings/", include("commonground.meetings.urls")),
    path("notifications/", include("commonground.notifications.urls")),
    path("o/<slug:org>/cases/", include("commonground.casework.urls")),
    path("o/<slug:org>/crm/", include("commonground.resolution.urls")),
    path("o/<slug:org>/sw-group/", include("commonground.swgroup.urls")),
    path("o/<slug:org>/groups/", include("commonground.groups.urls")),
    path("o/<slug:org>/joining/", include("commonground.joining.urls")),
    path("o/<slug:org>/sessions/", include("commonground.groupsessions.urls")),
    path("o/<slug:org>/peers/", include("commonground.peers.urls")),
    path("", include("commonground.web.urls")),
]
