from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "civicbill.billing"
    label = "billing"
