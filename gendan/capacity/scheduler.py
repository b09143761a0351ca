"""Finite-capacity forward scheduling on arrays, without the database.

Days are indexes into the list of working days of the horizon (0 = the first working day on or after the
horizon start). Each work centre has the same capacity in standard minutes on every working day.

Orders are taken in priority order (earliest due date, then order date, then id). An order's products
each follow their route (a chain of steps); a step books the remaining minutes of its work centre day by day,
starting no earlier than the previous step's finish day (the same day is allowed: work flows on) and no
earlier than the order's earliest start (material readiness). The order completes on the last day of its
last step. A step that does not fit in the horizon leaves the order "beyond the horizon" (finish None).

`Board.find` skips full days with a "next day with capacity" forest (path compression), so booking costs
about the number of days a step really uses, not the number of full days before it.

`reschedule` is the incremental path. An order is only affected by orders before it in priority, so
everything before the first changed position stays. From there, the new run is compared with the old one
cell by cell (`diff`: where the remaining capacity now differs): an unchanged order whose booking window
touches no differing cell books exactly what it booked before and is not recomputed; as soon as no
difference and no change is left, the rest of the old schedule is kept as it is. The result is identical
to a full run (tests/capacity/test_scheduler.py checks it on random cases).
"""

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

EPS = 1e-6

Key = tuple[int, int, int]  # (due date ordinal, order date ordinal, order id)
Step = tuple[int, float]  # (work centre id, standard minutes)
Booking = tuple[int, int, list[tuple[int, float]]]  # (work centre id, earliest day, [(day, minutes)])


@dataclass(frozen=True, slots=True)
class Job:
    order_id: int
    key: Key
    earliest: int  # first day the order may start (material readiness); >= n_days: not in the horizon
    chains: tuple[tuple[Step, ...], ...]  # one chain per product of the order, steps in route order
    ready: int | None = None  # material readiness (date ordinal), for display only


@dataclass(slots=True)
class Plan:
    bookings: list[Booking]
    start: int | None  # first day with work booked
    finish: int | None  # day the last step ends; None: does not fit in the horizon

    def load(self) -> dict[int, float]:
        minutes: dict[int, float] = {}
        for wc, _lo, cells in self.bookings:
            minutes[wc] = minutes.get(wc, 0.0) + sum(m for _d, m in cells)
        return minutes


class Board:
    """Remaining minutes per work centre per day."""

    __slots__ = ("caps", "n", "nxt", "rem", "stale")

    def __init__(
        self, n_days: int, caps: dict[int, float], used: dict[int, list[float]] | None = None
    ) -> None:
        self.n = n_days
        self.caps = caps
        if used is None:
            self.rem = {wc: [float(cap)] * n_days for wc, cap in caps.items()}
        else:
            self.rem = {
                wc: ([cap - u for u in used[wc]] if wc in used else [float(cap)] * n_days)
                for wc, cap in caps.items()
            }
        self.nxt: dict[int, list[int]] = {}
        self.stale = set(caps)

    def _build(self, wc: int) -> list[int]:
        rem, n = self.rem[wc], self.n
        nxt = [d if rem[d] > EPS else d + 1 for d in range(n)]
        nxt.append(n)
        self.nxt[wc] = nxt
        self.stale.discard(wc)
        return nxt

    def find(self, wc: int, day: int) -> int:
        """The first day >= `day` with capacity left at `wc` (n: none in the horizon)."""
        nxt = self._build(wc) if wc in self.stale else self.nxt[wc]
        if day >= self.n:
            return self.n
        root = day
        while nxt[root] != root:
            root = nxt[root]
        while nxt[day] != root:
            nxt[day], day = root, nxt[day]
        return root

    def take(self, wc: int, lo: int, need: float) -> tuple[list[tuple[int, float]], int | None]:
        """Book `need` minutes at `wc` from day `lo` on; returns the cells booked and the finish day."""
        rem = self.rem.get(wc)
        if rem is None:  # inactive or unknown work centre: no capacity at all
            return [], None
        cells: list[tuple[int, float]] = []
        day = self.find(wc, lo)
        n = self.n
        while day < n:
            left = rem[day]
            if left > need + EPS:
                rem[day] = left - need
                cells.append((day, need))
                return cells, day
            rem[day] = 0.0
            self.nxt[wc][day] = day + 1
            cells.append((day, left))
            need -= left
            if need <= EPS:
                return cells, day
            day = self.find(wc, day + 1)
        return cells, None

    def consume(self, wc: int, cells: Iterable[tuple[int, float]]) -> None:
        """Book cells known in advance (an order whose booking does not change)."""
        rem = self.rem.get(wc)
        if rem is None:
            return
        nxt = None if wc in self.stale else self.nxt[wc]
        for day, minutes in cells:
            left = rem[day] - minutes
            if left <= EPS:
                rem[day] = 0.0
                if nxt is not None:
                    nxt[day] = day + 1
            else:
                rem[day] = left

    def give_back(self, wc: int, cells: Iterable[tuple[int, float]]) -> None:
        rem = self.rem.get(wc)
        if rem is None:
            return
        for day, minutes in cells:
            rem[day] += minutes
        self.stale.add(wc)

    def used(self) -> dict[int, list[float]]:
        return {wc: [max(cap - r, 0.0) for r in self.rem[wc]] for wc, cap in self.caps.items()}


def plan_job(board: Board, job: Job) -> Plan:
    if job.earliest >= board.n:
        return Plan([], None, None)
    bookings: list[Booking] = []
    start: int | None = None
    finish = job.earliest
    for chain in job.chains:
        lo = job.earliest
        for wc, need in chain:
            cells, done = board.take(wc, lo, need)
            bookings.append((wc, lo, cells))
            if cells and (start is None or cells[0][0] < start):
                start = cells[0][0]
            if done is None:
                return Plan(bookings, start, None)
            lo = done
        finish = max(finish, lo)
    return Plan(bookings, start if start is not None else job.earliest, finish)


def schedule(board: Board, jobs: Iterable[Job]) -> dict[int, Plan]:
    """Full run: `jobs` in priority order."""
    return {job.order_id: plan_job(board, job) for job in jobs}


def _touches(plan: Plan, diff: dict[int, dict[int, float]], n: int) -> bool:
    """Does any booking window of `plan` contain a cell where the remaining capacity now differs?"""
    last = len(plan.bookings) - 1
    for index, (wc, lo, cells) in enumerate(plan.bookings):
        changed = diff.get(wc)
        if not changed:
            continue
        hi = n - 1 if (index == last and plan.finish is None) or not cells else cells[-1][0]
        if hi - lo < len(changed):
            if any(day in changed for day in range(lo, hi + 1)):
                return True
        elif any(lo <= day <= hi for day in changed):
            return True
    return False


def _diff_add(diff: dict[int, dict[int, float]], plan: Plan, sign: float) -> None:
    for wc, _lo, cells in plan.bookings:
        cell_diff = diff.setdefault(wc, {})
        for day, minutes in cells:
            value = cell_diff.get(day, 0.0) + sign * minutes
            if -EPS < value < EPS:
                cell_diff.pop(day, None)
            else:
                cell_diff[day] = value
        if not cell_diff:
            del diff[wc]


def _used_add(used: dict[int, list[float]], copied: set[int], plan: Plan, sign: float, n: int) -> None:
    for wc, _lo, cells in plan.bookings:
        if wc not in copied:
            used[wc] = list(used[wc]) if wc in used else [0.0] * n
            copied.add(wc)
        row = used[wc]
        for day, minutes in cells:
            row[day] = max(row[day] + sign * minutes, 0.0)


@dataclass
class Rescheduled:
    plans: dict[int, Plan]  # recomputed or new plans (changed orders and those they push)
    removed: set[int]  # orders no longer scheduled
    used: dict[int, list[float]]  # minutes booked per work centre per day after the change
    order: list[tuple[Key, int]]  # the new priority list
    touched: set[int] = field(default_factory=set)  # work centres whose bookings changed


def board_before(
    *,
    n: int,
    caps: dict[int, float],
    used: dict[int, list[float]],
    order: list[tuple[Key, int]],
    plans: dict[int, Plan],
    key: Key,
) -> Board:
    """The board as the old run had it just before the first order whose key is >= `key`: from the empty
    board booking the prefix, or from the final board giving back the suffix, whichever is shorter."""
    split = bisect_left(order, (key,))
    if split <= len(order) - split:
        board = Board(n, caps)
        for _key, oid in order[:split]:
            for wc, _lo, cells in plans[oid].bookings:
                board.consume(wc, cells)
    else:
        board = Board(n, caps, used)
        for _key, oid in order[split:]:
            for wc, _lo, cells in plans[oid].bookings:
                board.give_back(wc, cells)
    return board


def reschedule(
    *,
    n: int,
    caps: dict[int, float],
    used: dict[int, list[float]],
    jobs: dict[int, Job],
    plans: dict[int, Plan],
    order: list[tuple[Key, int]],
    changes: dict[int, Job | None],
    stop_after: int | None = None,
) -> Rescheduled:
    """Apply changed jobs (None: no longer scheduled) to a schedule computed earlier. Inputs are not modified.

    `stop_after`: stop once that order is planned (a preview needs nothing after it; the result is then
    incomplete and must not be stored)."""
    changes = {oid: job for oid, job in changes.items() if jobs.get(oid) != job}
    if not changes:
        return Rescheduled({}, set(), used, order)
    new_order = [entry for entry in order if entry[1] not in changes]
    new_order += [(job.key, oid) for oid, job in changes.items() if job is not None]
    new_order.sort()
    start_keys = [jobs[oid].key for oid in changes if oid in jobs] + [j.key for j in changes.values() if j]
    first = min(start_keys)
    board = board_before(n=n, caps=caps, used=used, order=order, plans=plans, key=first)
    old_changed = sorted((jobs[oid].key, oid) for oid in changes if oid in jobs)
    remaining = len(old_changed) + sum(1 for job in changes.values() if job is not None)
    diff: dict[int, dict[int, float]] = {}
    used_new = dict(used)
    copied: set[int] = set()
    new_plans: dict[int, Plan] = {}
    k = 0
    for key, oid in new_order[bisect_left(new_order, (first,)) :]:
        while k < len(old_changed) and old_changed[k][0] <= key:
            old = plans[old_changed[k][1]]
            _diff_add(diff, old, +1.0)  # the old run booked it here; the new run does not
            _used_add(used_new, copied, old, -1.0, n)
            k += 1
            remaining -= 1
        if remaining == 0 and not diff:
            break
        if oid in changes:
            plan = plan_job(board, changes[oid])  # type: ignore[arg-type]
            new_plans[oid] = plan
            _diff_add(diff, plan, -1.0)
            _used_add(used_new, copied, plan, +1.0, n)
            remaining -= 1
            if oid == stop_after:
                break
            continue
        old = plans[oid]
        if diff and _touches(old, diff, n):
            plan = plan_job(board, jobs[oid])
            new_plans[oid] = plan
            _diff_add(diff, old, +1.0)
            _diff_add(diff, plan, -1.0)
            _used_add(used_new, copied, old, -1.0, n)
            _used_add(used_new, copied, plan, +1.0, n)
        else:
            for wc, _lo, cells in old.bookings:
                board.consume(wc, cells)
    while k < len(old_changed):  # changed orders whose old entries lie after the last new entry
        _used_add(used_new, copied, plans[old_changed[k][1]], -1.0, n)
        k += 1
    removed = {oid for oid, job in changes.items() if job is None and oid in jobs}
    return Rescheduled(new_plans, removed, used_new, new_order, touched=copied)


def preview(
    *,
    n: int,
    caps: dict[int, float],
    used: dict[int, list[float]],
    jobs: dict[int, Job],
    plans: dict[int, Plan],
    order: list[tuple[Key, int]],
    job: Job,
) -> Plan:
    """The plan `job` would get if it entered (or changed in) the schedule now: the incremental path,
    stopped as soon as this order is planned (an order is affected only by the orders before it)."""
    if jobs.get(job.order_id) == job:
        return plans[job.order_id]
    result = reschedule(
        n=n,
        caps=caps,
        used=used,
        jobs=jobs,
        plans=plans,
        order=order,
        changes={job.order_id: job},
        stop_after=job.order_id,
    )
    return result.plans[job.order_id]
