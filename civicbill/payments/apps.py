from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "civicbill.payments"
    label = "payments"
