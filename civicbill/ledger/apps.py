from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "civicbill.ledger"
    label = "ledger"
