from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "commonground.policies"
    label = "policies"

    def ready(self) -> None:
        # Load and check every policy file now, so a malformed one stops start-up with an
        # error naming the file and the rule, rather than failing later on a page.
        from commonground.policies.registry import policies

        policies()
