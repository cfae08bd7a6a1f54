from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commonground.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from commonground.accounts.signals import count_fresh_password_as_confirmation

        user_logged_in.connect(
            count_fresh_password_as_confirmation, dispatch_uid="cg_fresh_password"
        )
