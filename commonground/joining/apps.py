from django.apps import AppConfig


class JoiningConfig(AppConfig):
    name = "commonground.joining"
    label = "joining"
    verbose_name = "A peer's way into a group"
