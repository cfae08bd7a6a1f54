from django.http import HttpResponse
from django.urls import path

# Placeholders until the pages land; the names are the contract templates rely on.
urlpatterns = [
    path("", lambda r: HttpResponse("account"), name="account_home"),
]
