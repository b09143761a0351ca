from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "gendan.catalog"
    label = "catalog"
