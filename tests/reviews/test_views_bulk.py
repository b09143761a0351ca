"""The review list's batch actions: tick reviews, sign my department's items, approve at feasible dates."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from gendan.orders.models import OrderStatus
from gendan.orders.services import order_create
from gendan.reviews.models import Review, ReviewDepartment, ReviewItem
from gendan.reviews.services import review_open
from tests.factories import order_payload
from tests.reviews.test_services import sign_all
from tests.reviews.test_views import login  # noqa: F401 (fixture)

URL = reverse("reviews:batch")


@pytest.fixture
def reviews(people, customer, product) -> list[Review]:
    return [
        review_open(
            order=order_create(
                actor=people["m1"], data=order_payload(customer, product, customer_po=f"VB-{n}")
            ),
            actor=people["m1"],
        )
        for n in range(2)
    ]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_list_offers_the_batch_actions_to_signers_and_leads(login, reviews):  # noqa: F811
    page = login("tech").get(reverse("reviews:list")).content.decode()
    assert 'data-testid="batch-sign"' in page and 'data-testid="batch-approve"' not in page
    assert f'name="reviews" value="{reviews[0].pk}"' in page
    page = login("sup").get(reverse("reviews:list")).content.decode()
    assert 'data-testid="batch-approve"' in page and 'data-testid="batch-sign"' not in page
    page = login("m1").get(reverse("reviews:list")).content.decode()
    assert 'name="reviews"' not in page


def test_sign_then_approve_the_ticked_reviews(login, people, reviews):  # noqa: F811
    ids = [r.pk for r in reviews]
    response = login("tech").post(URL, {"action": "sign", "reviews": ids})
    assert response.status_code == 302 and _messages(response) == ["2 item(s) signed as passed."]
    technical = ReviewItem.objects.filter(review__in=ids, department=ReviewDepartment.TECHNICAL)
    assert set(technical.values_list("result", flat=True)) == {"pass"}
    # the supervisor cannot approve before every department signed: nothing changes
    response = login("sup").post(URL, {"action": "approve", "reviews": ids})
    assert _messages(response)[0].startswith(reviews[0].order.number)
    assert not Review.objects.filter(pk__in=ids).exclude(status="open").exists()
    for review in reviews:
        sign_all(review, people)
    response = login("sup").post(URL, {"action": "approve", "reviews": ids})
    assert _messages(response) == ["2 review(s) approved."]
    assert {r.order.status for r in Review.objects.filter(pk__in=ids)} == {OrderStatus.APPROVED}


def test_batch_refusals(login, reviews):  # noqa: F811
    ids = [r.pk for r in reviews]
    assert _messages(login("tech").post(URL, {"action": "sign"})) == ["Tick at least one review."]
    # a merchandiser signs no department: nothing to sign
    response = login("m1").post(URL, {"action": "sign", "reviews": ids})
    assert "waits for your department" in _messages(response)[0]
    # another team's supervisor does not see them
    response = login("sup2").post(URL, {"action": "approve", "reviews": ids})
    assert _messages(response) == ["Review not found."]
    assert not ReviewItem.objects.filter(review__in=ids).exclude(result="pending").exists()
