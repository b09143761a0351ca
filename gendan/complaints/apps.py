from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "gendan.complaints"
    label = "complaints"
