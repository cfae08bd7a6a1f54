from django.urls import path

from commonground.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_request, name="case_request"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/screening/", views.case_screening, name="case_screening"),
    path("<int:pk>/supporters/", views.supporter_assign, name="supporter_assign"),
    path(
        "<int:pk>/supporters/<int:supporter_pk>/end/",
        views.supporter_end,
        name="supporter_end",
    ),
    path("<int:pk>/declare/", views.relationship_declare, name="relationship_declare"),
    path("<int:pk>/initial-conversation/", views.initial_conversation, name="initial_conversation"),
    path("<int:pk>/path/", views.path_choose, name="path_choose"),
    path(
        "<int:pk>/individual-conversation/",
        views.individual_conversation,
        name="individual_conversation",
    ),
    path("<int:pk>/group-meeting/", views.group_meeting, name="group_meeting"),
    path("<int:pk>/group-meeting/held/", views.group_meeting_held, name="group_meeting_held"),
    path("<int:pk>/shared-agreement/", views.shared_agreement, name="shared_agreement"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/offers/new/", views.offer_add, name="offer_add"),
    path("<int:pk>/offers/<int:offer_pk>/", views.offer_change, name="offer_change"),
    path("<int:pk>/notes/", views.case_notes, name="case_notes"),
]
