from django.urls import path

from commonground.resolution import views

app_name = "resolution"
urlpatterns = [
    path("", views.crm_list, name="crm_list"),
    path("case/<int:case_pk>/call/", views.crm_call, name="crm_call"),
    path("<int:pk>/", views.crm_detail, name="crm_detail"),
    path("<int:pk>/notice/", views.crm_notice, name="crm_notice"),
    path(
        "<int:pk>/party/<int:party_pk>/contribution/",
        views.contribution_edit,
        name="contribution_edit",
    ),
    path(
        "<int:pk>/party/<int:party_pk>/place/", views.contribution_place, name="contribution_place"
    ),
    path("<int:pk>/party/<int:party_pk>/outreach/", views.outreach, name="outreach"),
    path("<int:pk>/party/<int:party_pk>/decision/", views.decide, name="decide"),
    path("<int:pk>/summary/", views.crm_summary, name="crm_summary"),
    path("<int:pk>/notes/", views.crm_notes, name="crm_notes"),
    path("<int:pk>/agenda/draft/", views.agenda_draft, name="agenda_draft"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("notice-to-quit/<int:pk>/", views.ntq_detail, name="ntq_detail"),
    path("notice-to-quit/<int:pk>/letter.pdf", views.ntq_pdf, name="ntq_pdf"),
    path("notice-to-quit/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("notice-to-quit/<int:pk>/reinstate/", views.reinstate, name="reinstate"),
    path("notice-to-quit/<int:pk>/court/", views.court, name="court"),
]
