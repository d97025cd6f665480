from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "civicbill.demo"
    label = "demo"
