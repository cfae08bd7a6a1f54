from django.urls import path

from commonground.groupsessions import views

app_name = "groupsessions"
urlpatterns = [
    path("<int:pk>/", views.session, name="session"),
    path("<int:pk>/step/", views.session_step, name="session_step"),
    path("<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("<int:pk>/walk-in/", views.session_walk_in, name="session_walk_in"),
    path("<int:pk>/take-time/", views.session_take_time, name="session_take_time"),
    path("<int:pk>/round/", views.round_start, name="round_start"),
    path("<int:pk>/round/turn/", views.round_turn, name="round_turn"),
    path("<int:pk>/plan/", views.session_plan, name="session_plan"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("<int:pk>/safeguarding/new/", views.concern_create, name="concern_create"),
    path("groups/<int:pk>/actions/", views.group_actions, name="group_actions"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("safeguarding/", views.concern_list, name="concern_list"),
    path("safeguarding/<int:pk>/", views.concern_detail, name="concern_detail"),
]
