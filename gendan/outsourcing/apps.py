from django.apps import AppConfig


class OutsourcingConfig(AppConfig):
    name = "gendan.outsourcing"
    label = "outsourcing"
