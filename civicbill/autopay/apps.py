from django.apps import AppConfig


class AutopayConfig(AppConfig):
    name = "civicbill.autopay"
    label = "autopay"
    verbose_name = "Autopay (ACH)"

    def ready(self) -> None:
        from civicbill.autopay import checks  # noqa: F401  (registers the start-up checks)
