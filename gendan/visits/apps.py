from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "gendan.visits"
    label = "visits"
