from django.apps import AppConfig


class MaterialsConfig(AppConfig):
    name = "gendan.materials"
    label = "materials"
