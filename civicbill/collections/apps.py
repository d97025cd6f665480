from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "civicbill.collections"
    label = "collections"
    verbose_name = "Collections and delinquency"
