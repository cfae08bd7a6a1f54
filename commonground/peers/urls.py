from django.urls import path

from commonground.peers import views

app_name = "peers"
G = "groups/<int:group_id>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("guidelines/", views.behaviour, name="behaviour"),
    path("guidelines/edit/", views.behaviour_edit, name="behaviour_edit"),
    path(G + "guidelines/", views.group_guidelines, name="group_guidelines"),
    path(G + "guidelines/propose/", views.guideline_propose, name="guideline_propose"),
    path(G + "guidelines/<int:pk>/decide/", views.guideline_decide, name="guideline_decide"),
    path(G + "guidelines/<int:pk>/review/", views.guideline_review, name="guideline_review"),
    path(G + "sessions/<int:meeting_id>/apologies/", views.apologies, name="apologies"),
    path(G + "leave/", views.leave, name="leave"),
    path(G + "absences/", views.absences, name="absences"),
    path(G + "absences/<int:person_id>/news/", views.news_record, name="news_record"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("eligibility/<int:person_id>/", views.eligibility_record, name="eligibility_record"),
    path("membership/", views.membership, name="membership"),
    path("donations/", views.donations, name="donations"),
    path("donations/new/", views.donation_add, name="donation_add"),
    path("donations/export.csv", views.donations_export, name="donations_export"),
]
