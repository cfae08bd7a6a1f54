from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "commonground.access"
    label = "access"
