from django.apps import AppConfig


class SwgroupConfig(AppConfig):
    name = "commonground.swgroup"
    label = "swgroup"
