from django.apps import AppConfig


class RatesConfig(AppConfig):
    name = "civicbill.rates"
    label = "rates"
