from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "commonground.peers"
    label = "peers"
    verbose_name = "Guidelines, keeping in touch and membership"

    def ready(self) -> None:
        from commonground.peers import receivers  # noqa: F401
