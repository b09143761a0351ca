"""The supervisor confirms a proposed violation with its evidence and sees the merchandiser's score drop."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gendan.performance.models import Violation, ViolationCode
from gendan.performance.services import monthly_scores_refresh, violation_propose
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_supervisor_confirms_a_proposed_violation_and_the_score_drops(
    live_server, transactional_db, browser, people
):
    base = live_server.url
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    m1 = people["m1"]
    proposal = violation_propose(
        merchandiser_id=m1.pk,
        code=ViolationCode.CONCEALED_DELAY,
        occurred_on=last_month + dt.timedelta(days=3),
        source_key="browser:1",
        evidence=[{"order": "SO2026-000042", "record": "进度落后未上报"}],
    )
    before = monthly_scores_refresh(merchandiser_ids=[m1.pk], month=last_month)[0].score

    page = log_in(browser, base, "sup")
    page.goto(f"{base}/performance/violations/?status=proposed")
    row = page.locator("[data-testid=violations] tbody tr").first
    expect(row).to_contain_text("SO2026-000042")  # the evidence is shown with the proposal
    page.locator(f"[data-testid=confirm-{proposal.pk}]").click()
    page.wait_for_load_state()
    assert Violation.objects.get(pk=proposal.pk).status == Violation.Status.CONFIRMED

    page.goto(f"{base}/performance/?month={last_month:%Y-%m}")
    page.locator("[data-testid=recompute]").click()
    page.wait_for_load_state()
    shown = Decimal(page.locator("[data-testid=score-m1]").inner_text())
    assert before - shown == Decimal("3")  # concealed delay costs 3 points in the default policy
