from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "commonground.agreements"
    label = "agreements"
