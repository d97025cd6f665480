from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civicbill.core"
    label = "core"
    verbose_name = "civicbill core"
