"""The scan's shortcuts (ScanCursor): a run with nothing changed does no set-wide work, a run the same day
recomputes only the orders touched since, a new day recomputes all — and each gives what a full run gives."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from gendan.followup.models import OrderRisk, ProgressRecord, ScanCursor
from gendan.followup.risk import risk_evaluate
from gendan.followup.scan import followup_scan
from gendan.notify.models import Notification
from gendan.orders.models import Order
from tests.followup.conftest import at, order_in_production


@pytest.fixture
def producing(people, customer, product, clock):
    return order_in_production(
        people, customer, product, clock, promised=dt.date(2026, 6, 30), po="I-1", start=at(2026, 3, 2, 8)
    )


def _stored_matches_full_evaluation() -> None:
    full = risk_evaluate()
    stored = {row.order_id: row for row in OrderRisk.objects.all()}
    assert set(stored) == set(full)
    for order_id, values in full.items():
        row = stored[order_id]
        assert (row.level, row.reasons, row.projected_finish, row.stage) == (
            values["level"],
            values["reasons"],
            values["projected_finish"],
            values["stage"],
        )


def test_a_second_run_with_nothing_changed_does_no_set_wide_work(people, producing, clock):
    clock.set(at(2026, 3, 2, 18, 30))
    first = followup_scan()
    assert set(ScanCursor.objects.values_list("step", flat=True)) == {"risk", "missed_records"}
    untouched = mock.Mock(side_effect=AssertionError("recomputed although nothing changed"))
    with (
        mock.patch("gendan.followup.scan.risk_refresh", untouched),
        mock.patch("gendan.followup.scan.missed_slot_counts", untouched),
    ):
        second = followup_scan()
    assert second["risk"] == {**first["risk"], "changed": 0}
    assert second["missed_records"] == {"slots": first["missed_records"]["slots"], "notices": 0}


def test_a_record_written_behind_the_services_is_seen_the_same_day(people, producing, clock):
    """Records imported in bulk (no risk refresh per record) still reach the risk and the missed list."""
    clock.set(at(2026, 3, 2, 18, 30))
    assert followup_scan()["missed_records"] == {"slots": 1, "notices": 1}
    ProgressRecord.objects.create(
        order=producing,
        recorded_by=people["m1"],
        recorded_at=at(2026, 3, 2, 15),
        work_date=dt.date(2026, 3, 2),
        slot=1,
        stage="production",
        quantity_done=Decimal("400"),
    )
    clock.set(at(2026, 3, 2, 18, 45))
    summary = followup_scan()
    assert summary["missed_records"] == {"slots": 0, "notices": 0}
    assert OrderRisk.objects.get(order=producing).quantity_done == Decimal("400")
    _stored_matches_full_evaluation()
    assert Notification.objects.filter(kind="followup_missed").count() == 1


def test_an_order_leaving_production_the_same_day_loses_its_risk_row(people, producing, clock):
    clock.set(at(2026, 3, 2, 10))
    followup_scan()
    assert OrderRisk.objects.filter(order=producing).exists()
    # a change that writes no event (as an admin fix in the shell would): updated_at still moves
    producing.status = "on_hold"
    producing.save(update_fields=["status", "updated_at"])
    clock.set(at(2026, 3, 2, 11))
    followup_scan()
    assert not OrderRisk.objects.filter(order=producing).exists()
    _stored_matches_full_evaluation()


def test_a_new_day_recomputes_every_order(people, producing, clock):
    clock.set(at(2026, 3, 2, 10))
    followup_scan()
    Order.objects.filter(pk=producing.pk).update(promised_date=dt.date(2026, 3, 3))  # no trace at all
    clock.set(at(2026, 3, 4, 10))
    summary = followup_scan()
    assert summary["risk"]["red"] == 1
    assert OrderRisk.objects.get(order=producing).level == "red"
    _stored_matches_full_evaluation()
