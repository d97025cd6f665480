from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "civicbill.customers"
    label = "customers"
