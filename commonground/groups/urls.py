from django.urls import path

from commonground.groups import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="group_list"),
    path("new/", views.group_create, name="group_create"),
    path("<int:pk>/", views.group_detail, name="group_detail"),
    path("<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("<int:pk>/close/", views.group_close, name="group_close"),
    path("<int:pk>/facilitators/add/", views.facilitator_add, name="facilitator_add"),
    path(
        "<int:pk>/facilitators/<int:facilitator_pk>/end/",
        views.facilitator_end,
        name="facilitator_end",
    ),
    path("<int:pk>/sessions/new/", views.session_schedule, name="session_schedule"),
    path("<int:pk>/members/<int:member_pk>/leave/", views.member_leave, name="member_leave"),
]
