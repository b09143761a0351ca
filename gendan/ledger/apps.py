from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "gendan.ledger"
    label = "ledger"
