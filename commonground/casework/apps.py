from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "commonground.casework"
    label = "casework"
