from django.urls import path

from commonground.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("o/<slug:org>/", views.organisation_home, name="organisation_home"),
    path("o/<slug:org>/settings/", views.organisation_settings, name="organisation_settings"),
    path("o/<slug:org>/audit/", views.audit_log, name="audit_log"),
]
