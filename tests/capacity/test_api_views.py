"""Capacity through the API and the screens, and an overloaded week."""

import pytest
from django.test import Client

from gendan.capacity.models import ScheduleSnapshot, WorkCentreWeekLoad
from gendan.capacity.services import route_set, schedule_run, work_centre_update
from gendan.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from tests.api.conftest import ApiClient
from tests.factories import PASSWORD, ProductFactory
from tests.materials.helpers import D, draft, in_review, route, today, work_centre

TODAY = D(2026, 9, 28)


@pytest.fixture
def api(people):
    from gendan.accounts.services import api_token_create

    def make(name: str) -> ApiClient:
        _token, key = api_token_create(user=people[name], name=f"test {name}")
        return ApiClient(key)

    return make


@pytest.fixture
def overloaded(people, customer):
    """SEW has 480 minutes a day; an order due 10-09 needs 3000 minutes (6¼ days) — the weeks of 09-28
    (3 working days) and 10-05 (3 working days incl. the make-up Saturday) offer 2880."""
    sew = work_centre("SEW", 480)
    product = ProductFactory(code="BIG", production_cycle_days=1, material_lead_days=0)
    route(product, (sew, "10"))
    order = draft(
        people, customer, product, qty="300", po="BIG", order_date=D(2026, 9, 1), requested=D(2026, 10, 9)
    )
    in_review(people, order, on=TODAY)
    with today(TODAY):
        schedule_run(today=TODAY)
    return order


def test_overloaded_weeks_are_marked(overloaded):
    weeks = {w.week_start: w for w in WorkCentreWeekLoad.objects.filter(work_centre__code="SEW")}
    # 3000 due in the week of 10-05; cumulative capacity 1440 (wk 09-28) + 1440 (wk 10-05) = 2880 < 3000
    assert weeks[D(2026, 10, 5)].demand_minutes == 3000 and weeks[D(2026, 10, 5)].overloaded
    assert not weeks[D(2026, 9, 28)].overloaded  # nothing due yet
    # from the week of 10-12, 2880 + 2400 ≥ 3000: the backlog is absorbed
    assert not weeks[D(2026, 10, 12)].overloaded
    # the finite schedule books full weeks and spills into 10-12: 3000 = 1440 + 1440 + 120
    assert [weeks[d].load_minutes for d in (D(2026, 9, 28), D(2026, 10, 5), D(2026, 10, 12))] == [
        1440,
        1440,
        120,
    ]


def test_load_chart_page_and_api(people, api, overloaded):
    client = Client()
    assert client.login(username="planner", password=PASSWORD)
    page = client.get("/capacity/?weeks=13").content.decode()
    assert 'data-code="SEW"' in page and 'data-week="2026-10-05" data-overloaded="1"' in page
    answer = api("m1").get("/capacity/load", weeks=4)
    assert answer.status_code == 200
    assert [w["overloaded"] for w in answer.json()[0]["weeks"]] == [False, True, False, False]
    assert api("m1").get("/capacity/load", weeks=1000).status_code == 422


def test_schedule_is_scoped_and_runs_need_a_planner(people, api, overloaded):
    assert [r["order_number"] for r in api("m1").get("/capacity/schedule").json()["items"]] == [
        overloaded.number
    ]
    assert api("m3").get("/capacity/schedule").json()["items"] == []
    assert api("m3").get(f"/capacity/orders/{overloaded.pk}").status_code == 404
    mine = api("m1").get(f"/capacity/orders/{overloaded.pk}").json()
    assert mine["completion_date"] == "2026-10-12" and mine["is_late"] is True
    assert api("m1").post("/capacity/runs", {"full": True}).status_code == 403
    with today(TODAY):
        run = api("planner").post("/capacity/runs", {"full": False})
    assert run.status_code == 200 and run.json()["orders"] == 1
    for url in (
        "/capacity/",
        "/capacity/schedule/",
        "/capacity/work-centres/",
        f"/capacity/routes/{overloaded.lines.get().product_id}/",
    ):
        client = Client()
        assert client.login(username="m1", password=PASSWORD)
        assert client.get(url).status_code == 200, url
    client = Client()
    assert client.login(username="m1", password=PASSWORD)
    assert client.post("/capacity/run/", {"mode": "full"}).status_code == 403


def test_work_centre_and_route_changes(people, api):
    sew = work_centre("SEW", 480)
    product = ProductFactory(code="R1")
    with pytest.raises(PermissionDeniedError):
        route_set(
            actor=people["m1"], product=product, steps=[{"work_centre": "SEW", "minutes_per_piece": "1"}]
        )
    with pytest.raises(ValidationFailed) as exc:
        route_set(
            actor=people["planner"],
            product=product,
            steps=[{"work_centre": "NOPE", "minutes_per_piece": "0"}],
        )
    assert set(exc.value.fields) == {"steps.0.work_centre", "steps.0.minutes_per_piece"}
    answer = api("planner").put(
        f"/capacity/products/{product.pk}/route",
        {
            "steps": [
                {"work_centre": "SEW", "minutes_per_piece": "2.5"},
                {"work_centre": "sew", "minutes_per_piece": "1"},
            ]
        },
    )
    assert answer.status_code == 200 and [s["sequence"] for s in answer.json()] == [1, 2]
    work_centre_update(
        actor=people["planner"],
        work_centre=sew,
        version=1,
        data={"code": "SEW", "name": "车缝", "daily_minutes": 960},
    )
    with pytest.raises(ConflictError):
        work_centre_update(
            actor=people["planner"],
            work_centre=sew,
            version=1,
            data={"code": "SEW", "name": "x", "daily_minutes": 1},
        )
    stale = api("planner").put(
        f"/capacity/work-centres/{sew.pk}", {"code": "SEW", "name": "x", "daily_minutes": 5, "version": 1}
    )
    assert stale.status_code == 409
    assert (
        api("planner")
        .post("/capacity/work-centres", {"code": "CUT", "name": "裁床", "daily_minutes": 0})
        .status_code
        == 422
    )


def test_a_changed_work_centre_makes_the_next_run_a_full_one(
    people, overloaded, django_capture_on_commit_callbacks
):
    from gendan.capacity.services import schedule_update

    with today(TODAY), django_capture_on_commit_callbacks(execute=True):
        schedule_run(today=TODAY)
    with today(TODAY):
        assert schedule_update(today=TODAY).kind == ScheduleSnapshot.Kind.INCREMENTAL
        sew = overloaded.lines.get().product.route_steps.get().work_centre
        work_centre_update(
            actor=people["planner"],
            work_centre=sew,
            version=sew.version,
            data={"code": "SEW", "name": "车缝", "daily_minutes": 960},
        )
        snapshot = schedule_update(today=TODAY)
    assert snapshot.kind == ScheduleSnapshot.Kind.FULL
    # 3000 minutes at 960 a day: 09-28, 09-29, 09-30 (2880), then 120 on 10-08
    assert overloaded.schedule.completion_date == D(2026, 10, 8)
