"""Issue 21 item 7, as the probe did it: 10,000 orders exported — once, and 8 times in parallel.

Bounded is MEMORY, not time (speed belongs in bench/): what a 10,000-order export job adds to its process's
peak resident memory stays under MEMORY_BOUND; requests above the threshold answer as jobs (a redirect or
202) instead of rendering 10,000 rows in the request, so no request can outlast the proxy's timeout; two
jobs run at once by the consumer's function on two threads (a consumer process's two workers: the most it
runs at a time) stay under the bound together.

Measured (SQLite, this machine): one job adds ~6 MB to the process's peak RSS (tracemalloc peak 2.5 MB);
the file is 0.8 MB. Before, the export built every row in memory first (~400 MB per worker in the probe).
The bound leaves a wide margin and still catches a return to building rows in memory.
"""

import io
import logging
import threading
import tracemalloc

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gendan.accounts import roles as R
from gendan.exports.models import ExportJob, ExportMode, ExportStatus
from gendan.exports.services import export_job_run, export_storage
from tests.exports.conftest import bulk_orders
from tests.factories import make_user

logger = logging.getLogger(__name__)
ORDERS = 10_000
MEMORY_BOUND = 100 * 1024 * 1024  # added to the peak RSS by the jobs (a worker's base is ~100 MB)
HANG = 600  # seconds a worker thread may take before the test calls it hung (not a speed assertion)


def _vm(name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(name)


def _peak(run) -> int:
    """How much `run()` raised this process's peak resident memory (Linux: the peak is reset first through
    /proc/self/clear_refs); where that is not possible, the tracemalloc peak of its Python allocations."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM to the current RSS
        before = _vm("VmRSS")
    except OSError:
        tracemalloc.start()
        try:
            run()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    run()
    return max(0, _vm("VmHWM") - before)


def _rows(job: ExportJob) -> int:
    with export_storage().open(job.file_path, "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    try:
        return sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def test_a_10000_order_export_becomes_a_job_and_stays_under_the_memory_bound(
    people, customer, product, queued, django_capture_on_commit_callbacks
):
    bulk_orders(customer=customer, product=product, creator=people["m1"], count=ORDERS, prefix="BIG")
    client = Client()
    client.force_login(people["m1"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("order_export"))
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    (job_id,) = queued
    peak = _peak(lambda: export_job_run(job_id=job_id))
    job = ExportJob.objects.get(pk=job_id)
    logger.warning(
        f"one 10,000-order job: peak memory + {peak / 2**20:.1f} MB, {job.file_size / 2**20:.2f} MB file"
    )
    assert job.status == ExportStatus.DONE
    assert job.rows_done == ORDERS and _rows(job) == ORDERS + 1
    assert peak < MEMORY_BOUND


@pytest.mark.django_db(transaction=True)
def test_eight_parallel_exports_of_10000_orders_answer_as_jobs_and_run_under_the_bound(queued):
    from tests.factories import CustomerFactory, ProductFactory

    sup = make_user("p-sup", R.SUPERVISOR, department="merchandising")
    merch = make_user("p-m1", R.MERCHANDISER, department="merchandising", supervisor=sup)
    customer = CustomerFactory(merchandiser=merch)
    bulk_orders(
        customer=customer, product=ProductFactory(), creator=merch, count=ORDERS, prefix="PAR", sizes=False
    )
    users = [merch, sup] + [
        make_user(f"p-gm{i}", R.GENERAL_MANAGER, department="management") for i in range(6)
    ]

    # 8 users, 8 requests at once: each answers at once as a job, none renders 10,000 rows in the request
    answers: dict[str, tuple[int, str]] = {}

    def fire(user) -> None:
        client = Client()
        client.force_login(user)
        response = client.get(reverse("order_export"), HTTP_ACCEPT="application/json")
        answers[user.username] = (response.status_code, response["Content-Type"])

    threads = [threading.Thread(target=fire, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert set(answers.values()) == {(202, "application/json")}, answers
    jobs = list(ExportJob.objects.filter(mode=ExportMode.BACKGROUND))
    assert len(jobs) == 8 and sorted(queued) == sorted(job.pk for job in jobs)

    # a consumer process's two worker threads run two of them at once (the most it ever runs together; the
    # others wait in the queue): both together stay under the bound
    pending = sorted(queued)[:2]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                job_id = pending.pop()
            export_job_run(job_id=job_id)

    def run_all() -> None:
        workers = [threading.Thread(target=worker) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(HANG * 4)
        assert not any(thread.is_alive() for thread in workers), "a job hung"

    peak = _peak(run_all)
    logger.warning(f"2 jobs of 10,000 orders on 2 threads: peak memory + {peak / 2**20:.1f} MB")
    statuses = list(ExportJob.objects.filter(mode=ExportMode.BACKGROUND).values_list("status", "rows_done"))
    assert sorted(statuses) == [(ExportStatus.DONE, ORDERS)] * 2 + [(ExportStatus.QUEUED, 0)] * 6
    assert peak < MEMORY_BOUND


@pytest.mark.django_db(transaction=True)
def test_one_user_firing_8_exports_at_once_gets_2_jobs_and_6_refusals(queued, settings):
    from tests.factories import CustomerFactory, ProductFactory

    settings.EXPORT_SYNC_MAX_ROWS = 10
    merch = make_user("q-m1", R.MERCHANDISER, department="merchandising")
    customer = CustomerFactory(merchandiser=merch)
    bulk_orders(
        customer=customer, product=ProductFactory(), creator=merch, count=50, prefix="ONE", sizes=False
    )
    codes: list[int] = []

    def fire() -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(merch)
        response = client.get(reverse("order_export"), HTTP_ACCEPT="application/json")
        codes.append(response.status_code)

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG)
    assert sorted(codes) == [202, 202] + [429] * 6
    assert ExportJob.objects.filter(user=merch, mode=ExportMode.BACKGROUND).count() == 2
