from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReassignmentsConfig(AppConfig):
    name = "gendan.reassignments"
    label = "reassignments"
    verbose_name = _("Reassignments")
