import datetime as dt

from gendan.visits.models import VisitStatus
from tests.q2c import today
from tests.visits.test_services import DAY, delivered


def test_record_a_visit_on_its_page(client, people, customer, product):
    visit = delivered(people, customer, product)
    client.force_login(people["m1"])
    assert visit.order.number in client.get("/visits/").content.decode()
    with today(DAY + dt.timedelta(days=8)):
        response = client.post(
            f"/visits/{visit.pk}/",
            {
                "visited_on": "2026-12-18",
                "method": "phone",
                "score_quality": "1",
                "score_delivery": "5",
                "score_service": "5",
                "score_communication": "5",
            },
        )
        assert response.status_code == 400  # a 1 needs a comment
        response = client.post(
            f"/visits/{visit.pk}/",
            {
                "visited_on": "2026-12-18",
                "method": "phone",
                "score_quality": "1",
                "score_delivery": "5",
                "score_service": "5",
                "score_communication": "5",
                "comments": "色差",
            },
        )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    page = client.get("/visits/satisfaction/").content.decode()
    assert "4.00" in page
    client.force_login(people["m3"])
    assert client.get(f"/visits/{visit.pk}/").status_code == 404
