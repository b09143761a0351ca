from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "gendan.quotes"
    label = "quotes"
