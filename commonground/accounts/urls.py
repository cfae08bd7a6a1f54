from django.urls import path

from commonground.accounts import views

urlpatterns = [
    path("", views.account_home, name="account_home"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
