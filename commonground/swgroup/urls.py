from django.urls import path

from commonground.swgroup import views

app_name = "swgroup"
urlpatterns = [
    path("", views.group, name="group"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("meetings/", views.attendance, name="attendance"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("review/", views.review, name="review"),
    path("budget/", views.budget, name="budget"),
    path("budget/set/", views.budget_set, name="budget_set"),
    path("budget/ledger/", views.ledger, name="ledger"),
    path("spending/", views.spending_list, name="spending_list"),
    path("spending/new/", views.spending_create, name="spending_create"),
    path("spending/<int:pk>/", views.spending_detail, name="spending_detail"),
    path("spending/<int:pk>/approve/", views.spending_approve, name="spending_approve"),
    path("spending/<int:pk>/withdraw/", views.spending_withdraw, name="spending_withdraw"),
]
