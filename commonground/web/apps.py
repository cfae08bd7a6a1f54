from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "commonground.web"
    label = "web"
