from django.urls import path

from commonground.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("export.csv", views.people_export, name="people_export"),
    path("new/", views.person_create, name="person_create"),
    path("me/", views.my_details, name="my_details"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/confidential/", views.person_confidential, name="person_confidential"),
    path("<int:pk>/break-glass/", views.person_break_glass, name="person_break_glass"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/membership/", views.membership_change, name="membership_change"),
    path("<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("<int:pk>/roles/new/", views.role_assign, name="role_assign"),
    path("<int:pk>/roles/<int:role_pk>/end/", views.role_end, name="role_end"),
    path("<int:pk>/qualifications/new/", views.qualification_add, name="qualification_add"),
    path(
        "<int:pk>/qualifications/<int:q_pk>/edit/",
        views.qualification_edit,
        name="qualification_edit",
    ),
    path(
        "<int:pk>/qualifications/<int:q_pk>/remove/",
        views.qualification_remove,
        name="qualification_remove",
    ),
]
