from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "gendan.orders"
    label = "orders"
