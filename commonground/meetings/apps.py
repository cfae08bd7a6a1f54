from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "commonground.meetings"
    label = "meetings"
