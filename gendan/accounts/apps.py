from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_reference_data(sender, **kwargs) -> None:
    from gendan.accounts.services import roles_sync
    from gendan.planning.calendar import calendar_years_seed
    from gendan.planning.models import CalendarYear

    roles_sync()
    if not CalendarYear.objects.exists():
        calendar_years_seed()


class AccountsConfig(AppConfig):
    name = "gendan.accounts"
    label = "accounts"

    def ready(self) -> None:
        # After the last app migrates, so every permission exists (reference data, not business logic).
        from django.apps import apps

        last_app = list(apps.get_app_configs())[-1]
        post_migrate.connect(_seed_reference_data, sender=last_app, dispatch_uid="gendan_seed_reference_data")
