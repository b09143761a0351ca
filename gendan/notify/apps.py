from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gendan.notify"
    label = "notify"
