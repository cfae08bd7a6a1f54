from django.urls import path

from commonground.obligations import views

app_name = "obligations"
urlpatterns = [
    path("", views.obligation_list, name="obligation_list"),
    path("<int:pk>/", views.obligation_detail, name="obligation_detail"),
]
