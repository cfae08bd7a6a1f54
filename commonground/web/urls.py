from django.http import HttpResponse
from django.urls import path

# Placeholders until the pages land; the names are the contract templates rely on.
urlpatterns = [
    path("", lambda r: HttpResponse("Common Ground"), name="dashboard"),
    path("o/<slug:org>/", lambda r, org: HttpResponse(org), name="organisation_home"),
    path("o/<slug:org>/settings/", lambda r, org: HttpResponse(org), name="organisation_settings"),
    path("o/<slug:org>/audit/", lambda r, org: HttpResponse(org), name="audit_log"),
]
