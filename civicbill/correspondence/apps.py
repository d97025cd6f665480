from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "civicbill.correspondence"
    label = "correspondence"
