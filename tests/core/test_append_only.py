import pytest
from django.db import DatabaseError, transaction

from gendan.core.models import AppendOnlyError, AuditLog
from gendan.orders.models import OrderEvent
from gendan.orders.services import order_create
from tests.factories import order_payload


def test_event_rows_refuse_update_and_delete_through_the_model(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    event = order.events.get()
    event.note = "rewritten history"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert OrderEvent.objects.get(pk=event.pk).note == ""


def test_the_database_refuses_bulk_changes_to_events_and_audit_rows(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    AuditLog.objects.create(action=AuditLog.Action.EXPORT, what="orders")
    for queryset, change in (
        (OrderEvent.objects.filter(order=order), {"note": "x"}),
        (AuditLog.objects.all(), {"what": "x"}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.update(**change)
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset._raw_delete(queryset.db)
    assert order.events.get().note == ""
    assert AuditLog.objects.get().what == "orders"
