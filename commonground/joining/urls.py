from django.urls import URLPattern

app_name = "joining"
urlpatterns: list[URLPattern] = []
