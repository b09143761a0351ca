import json
import threading
import urllib.request

import pytest

from gendan.accounts.services import api_token_create
from gendan.orders.models import Order
from tests.factories import order_payload


def _post(url: str, key: str, body: dict, idem: str | None, results: list, barrier: threading.Barrier | None):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    if idem:
        headers["Idempotency-Key"] = idem
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    if barrier:
        barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            results.append((response.status, json.loads(response.read())))
    except urllib.error.HTTPError as error:
        results.append((error.code, json.loads(error.read() or b"{}")))


@pytest.mark.django_db(transaction=True)
def test_the_same_post_twice_at_once_with_one_key_creates_one_order(live_server, people, customer, product):
    _token, key = api_token_create(user=people["m1"], name="double-click")
    url = f"{live_server.url}/api/v1/orders"
    body = order_payload(customer, product, customer_po="IDEM-1")
    results: list = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_post, args=(url, key, body, "click-1", results, barrier)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _b in results] == [201, 201]
    assert results[0][1]["number"] == results[1][1]["number"]
    assert Order.objects.filter(customer_po="IDEM-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_key_reused_for_another_request_is_refused_and_no_key_means_no_replay(
    live_server, people, customer, product
):
    _token, key = api_token_create(user=people["m1"], name="k")
    url = f"{live_server.url}/api/v1/orders"
    results: list = []
    _post(url, key, order_payload(customer, product, customer_po="K-1"), "same", results, None)
    _post(url, key, order_payload(customer, product, customer_po="K-2"), "same", results, None)
    _post(url, key, order_payload(customer, product, customer_po="K-3"), None, results, None)
    assert [status for status, _b in results] == [201, 422, 201]
    assert results[1][1]["code"] == "idempotency_mismatch"
    assert set(Order.objects.values_list("customer_po", flat=True)) == {"K-1", "K-3"}
