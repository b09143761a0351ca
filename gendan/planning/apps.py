from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "gendan.planning"
    label = "planning"
