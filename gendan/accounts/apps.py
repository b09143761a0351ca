from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def _seed_reference_data(sender, **kwargs) -> None:
    from gendan.accounts.services import roles_sync
    from gendan.core.append_only import append_only_triggers_install
    from gendan.planning.calendar import calendar_years_seed
    from gendan.planning.models import CalendarYear

    roles_sync()
    append_only_triggers_install()
    if not CalendarYear.objects.exists():
        calendar_years_seed()


class AccountsConfig(AppConfig):
    name = "gendan.accounts"
    label = "accounts"

    def ready(self) -> None:
        # After the last app migrates, so every permission exists (reference data, not business logic).
        from django.apps import apps

        # post_migrate is sent only for apps with a models module (not e.g. huey's djhuey).
        last_app = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(_seed_reference_data, sender=last_app, dispatch_uid="gendan_seed_reference_data")

        import gendan.core.append_only  # noqa: F401  (registers the SQLite trigger function on each connection)
        from gendan.accounts.models import Delegation
        from gendan.accounts.scope import scope_cache_clear

        post_save.connect(scope_cache_clear, sender=Delegation, dispatch_uid="scope_cache_clear_saved")
        post_delete.connect(scope_cache_clear, sender=Delegation, dispatch_uid="scope_cache_clear_deleted")
