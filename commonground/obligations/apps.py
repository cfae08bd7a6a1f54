from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    name = "commonground.obligations"
    label = "obligations"

    def ready(self) -> None:
        from commonground.obligations import receivers  # noqa: F401  (connects the signal)
