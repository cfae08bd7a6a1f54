from django.apps import AppConfig


class GroupSessionsConfig(AppConfig):
    name = "commonground.groupsessions"
    label = "groupsessions"
    verbose_name = "Running a group session"
