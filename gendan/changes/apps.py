from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "gendan.changes"
    label = "changes"
