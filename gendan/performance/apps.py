from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "gendan.performance"
    label = "performance"
