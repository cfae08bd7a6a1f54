from django.urls import URLPattern

app_name = "peers"
urlpatterns: list[URLPattern] = []
