from django.urls import path

from commonground.joining import views

app_name = "joining"
urlpatterns = [
    path("", views.way_in, name="way_in"),
    path("enquiry/", views.enquiry, name="enquiry"),
    path("mine/", views.mine, name="mine"),
    path("workshops/", views.workshops, name="workshops"),
    path("workshops/new/", views.workshop_create, name="workshop_create"),
    path("<int:pk>/", views.journey, name="journey"),
    path("<int:pk>/workshop/", views.workshop_invite, name="workshop_invite"),
    path("<int:pk>/conversation/", views.conversation, name="conversation"),
    path("<int:pk>/join/", views.join, name="join"),
    path("attempts/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("attempts/<int:pk>/declare/", views.declare, name="declare"),
    path("attempts/<int:pk>/name-check/", views.name_check, name="name_check"),
    path("conflicts/<int:pk>/agree/", views.agree, name="agree"),
]
