from django.urls import path

from commonground.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("new/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/change/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/parties/add/", views.party_add, name="party_add"),
    path("<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("<int:pk>/disagree/", views.agreement_disagree, name="agreement_disagree"),
    path("<int:pk>/breach/", views.breach_record, name="breach_record"),
    path("<int:pk>/review/start/", views.review_start, name="review_start"),
    path("<int:pk>/review/", views.review_record, name="review_record"),
    path("<int:pk>/end/", views.agreement_end, name="agreement_end"),
    path("<int:pk>/print/", views.agreement_print, name="agreement_print"),
    path("<int:pk>/copy.pdf", views.agreement_download, name="agreement_pdf"),
]
