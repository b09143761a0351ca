from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "gendan.capacity"
    label = "capacity"
