from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "civicbill.workorders"
    label = "workorders"
