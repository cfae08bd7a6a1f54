from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "commonground.notifications"
    label = "notifications"

    def ready(self) -> None:
        from commonground.notifications import receivers  # noqa: F401  (connects the signal)
