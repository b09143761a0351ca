"""The scan builds its notices' links without reverse() (which loads the whole URLconf): the same paths."""

import datetime as dt

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from gendan.followup.links import missed_path, order_plan_path, plans_path


@pytest.mark.parametrize("prefix", ["/", "/gendan/"])
def test_links_are_the_paths_reverse_gives(prefix):
    set_script_prefix(prefix)
    try:
        day = dt.date(2026, 3, 2)
        assert order_plan_path(42) == reverse("followup:order_plan", args=[42])
        assert missed_path(day=day) == reverse("followup:missed") + "?date_from=2026-03-02&date_to=2026-03-02"
        assert plans_path(status="overdue") == reverse("followup:plans") + "?status=overdue"
    finally:
        clear_script_prefix()
