"""The scheduling core on arrays (no database): booking rules, and the incremental path against full runs."""

import random

import pytest

from gendan.capacity.scheduler import Board, Job, Plan, plan_job, preview, reschedule, schedule


def job(oid, due, chains, earliest=0, ordered=0):
    return Job(
        order_id=oid, key=(due, ordered, oid), earliest=earliest, chains=tuple(tuple(c) for c in chains)
    )


def full(n, caps, jobs):
    board = Board(n, caps)
    order = sorted((j.key, j.order_id) for j in jobs.values())
    plans = schedule(board, [jobs[oid] for _key, oid in order])
    return plans, board.used(), order


def days(plan: Plan):
    return (plan.start, plan.finish, [(wc, lo, [d for d, _m in cells]) for wc, lo, cells in plan.bookings])


def test_a_step_fills_days_in_order_and_the_next_step_may_start_on_its_finish_day():
    # given two work centres of 100 minutes a day, one of them already full on day 0
    board = Board(5, {1: 100.0, 2: 100.0})
    board.take(2, 0, 100.0)
    # when a job needs 250 at wc 1, then 50 at wc 2
    plan = plan_job(board, job(7, 10, [[(1, 250.0), (2, 50.0)]]))
    # then wc 1 books days 0, 1 and half of 2; wc 2 starts on day 2 (the same day), not on the full day 0
    assert plan.bookings[0] == (1, 0, [(0, 100.0), (1, 100.0), (2, 50.0)])
    assert plan.bookings[1] == (2, 2, [(2, 50.0)])
    assert (plan.start, plan.finish) == (0, 2)


def test_an_order_that_does_not_fit_is_beyond_the_horizon_and_an_unknown_work_centre_never_finishes():
    board = Board(3, {1: 100.0})
    assert plan_job(board, job(1, 5, [[(1, 301.0)]])).finish is None
    assert plan_job(board, job(2, 5, [[(9, 1.0)]])).finish is None  # inactive work centre: no capacity
    assert plan_job(board, job(3, 5, [[(1, 1.0)]], earliest=3)).finish is None  # materials after the horizon


def test_finding_the_next_free_day_skips_full_days():
    board = Board(1000, {1: 10.0})
    plan_job(board, job(1, 0, [[(1, 9990.0)]]))  # days 0…998 full
    assert board.find(1, 0) == 999
    assert board.find(1, 999) == 999


def _random_case(rng: random.Random):
    n = rng.randint(5, 40)
    wcs = list(range(1, rng.randint(2, 5)))
    caps = {wc: float(rng.choice([240, 480, 960])) for wc in wcs}
    if rng.random() < 0.2:
        caps.pop(wcs[-1])

    def make(oid):
        chains = [
            [(rng.choice(wcs), float(rng.randint(10, 900))) for _ in range(rng.randint(1, 4))]
            for _ in range(rng.randint(0, 2))
        ]
        return job(
            oid,
            rng.randint(0, 60),
            chains,
            earliest=rng.choice([0, 0, rng.randint(0, n + 2)]),
            ordered=rng.randint(0, 9),
        )

    return n, caps, {oid: make(oid) for oid in range(1, rng.randint(2, 40))}, make


@pytest.mark.parametrize("seed", range(60))
def test_incremental_rescheduling_and_preview_equal_a_full_run(seed):
    # given a random schedule (several work centres, an inactive one sometimes, late materials)
    rng = random.Random(seed)
    n, caps, jobs, make = _random_case(rng)
    plans, used, order = full(n, caps, jobs)
    for _round in range(4):
        # when orders are added, changed or removed
        changes = {}
        for _ in range(rng.randint(1, 3)):
            oid = rng.randint(1, len(jobs) + 3)
            changes[oid] = None if rng.random() < 0.3 else make(oid)
        # then a preview of one changed order equals its plan in a full run with that change
        target = next((oid for oid, j in changes.items() if j is not None), None)
        if target is not None:
            alone = {**jobs, target: changes[target]}
            expected, _used, _order = full(n, caps, alone)
            got = preview(n=n, caps=caps, used=used, jobs=jobs, plans=plans, order=order, job=changes[target])
            assert days(got) == days(expected[target])
        # and the incremental result equals a full run, plan by plan and minute by minute
        result = reschedule(n=n, caps=caps, used=used, jobs=jobs, plans=plans, order=order, changes=changes)
        jobs = {oid: j for oid, j in {**jobs, **changes}.items() if j is not None}
        expected, expected_used, expected_order = full(n, caps, jobs)
        plans = {oid: p for oid, p in plans.items() if oid in jobs} | result.plans
        assert result.order == expected_order
        assert {oid: days(p) for oid, p in plans.items()} == {oid: days(p) for oid, p in expected.items()}
        for wc in caps:
            assert result.used.get(wc, [0.0] * n) == pytest.approx(expected_used[wc], abs=1e-6)
        used, order = result.used, result.order


def test_an_unchanged_order_behind_the_change_is_not_recomputed_when_its_days_are_untouched():
    # given order 1 on wc 1 and order 2 (later due) on wc 2 only
    caps = {1: 100.0, 2: 100.0}
    jobs = {1: job(1, 1, [[(1, 150.0)]]), 2: job(2, 2, [[(2, 50.0)]]), 3: job(3, 3, [[(1, 20.0)]])}
    plans, used, order = full(4, caps, jobs)
    # when order 1 grows
    result = reschedule(
        n=4, caps=caps, used=used, jobs=jobs, plans=plans, order=order, changes={1: job(1, 1, [[(1, 180.0)]])}
    )
    # then order 1 and order 3 (same work centre, pushed from day 1 with 50 left to day 1 with 20 left) are
    # recomputed; order 2 (another work centre) is not
    assert set(result.plans) == {1, 3}
    assert result.plans[3].bookings == [(1, 0, [(1, 20.0)])]
