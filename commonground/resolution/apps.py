from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "commonground.resolution"
    label = "resolution"
