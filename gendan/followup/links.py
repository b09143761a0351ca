"""Paths of the follow-up pages the scan's notices link to, as `reverse()` gives them (a test pins each to
it). `reverse()` loads the whole URLconf, the API and every app's views with it (about a second), and the
scan runs in worker processes that serve no page; these need only the script prefix."""

import datetime as dt

from django.urls import get_script_prefix


def order_plan_path(order_id: int) -> str:
    """followup:order_plan"""
    return f"{get_script_prefix()}followup/orders/{int(order_id)}/plan/"


def missed_path(*, day: dt.date) -> str:
    """followup:missed, for one day"""
    return f"{get_script_prefix()}followup/missed/?date_from={day.isoformat()}&date_to={day.isoformat()}"


def plans_path(*, status: str) -> str:
    """followup:plans, filtered by milestone status (overdue, due_soon)"""
    return f"{get_script_prefix()}followup/plans/?status={status}"
