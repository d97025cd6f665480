from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "civicbill.meters"
    label = "meters"
