from django.urls import URLPattern

app_name = "groupsessions"
urlpatterns: list[URLPattern] = []
