from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "civicbill.web"
    label = "web"
