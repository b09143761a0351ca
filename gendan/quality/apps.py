from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "gendan.quality"
    label = "quality"
