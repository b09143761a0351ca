"""Issue 18: defects found can never exceed the units in the sample (service-level: the web form and the
API both answer a field error)."""

import pytest

from gendan.core.errors import ValidationFailed
from gendan.quality.models import Inspection
from tests.quality.test_inspections import final


def test_more_defects_than_the_sample_are_refused_with_a_field_error(people, order):
    # Given a lot of 300 at level II (sample 50), when 999 major defects are entered
    with pytest.raises(ValidationFailed) as caught:
        final(order, people["qc"], major=999)
    # Then the field says the bound, and nothing was saved
    assert caught.value.fields == {
        "major_found": ["At most 50: the sample of lot size 300 at this level has 50 units."]
    }
    assert Inspection.objects.count() == 0


def test_defects_equal_to_the_sample_are_accepted(people, order):
    inspection = final(order, people["qc"], minor=50)
    assert inspection.sample_size == 50 and inspection.status == "failed"


def test_the_api_answers_400_with_the_field(api, order):
    body = {
        "stage": "final",
        "lot_size": 300,
        "level": "II",
        "aql_major": 2.5,
        "major_found": 999,
    }
    response = api("qc").post(f"/quality/orders/{order.pk}/inspections", body)
    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["major_found"]
    assert Inspection.objects.count() == 0


def test_the_form_shows_the_error_next_to_the_field(web, order):
    response = web("qc").post(
        f"/quality/orders/{order.pk}/new/",
        {"stage": "final", "lot_size": "300", "level": "II", "aql_major": "2.5", "major_found": "999"},
    )
    assert response.status_code == 200
    assert 'data-testid="error-major_found"' in response.content.decode()
    assert not Inspection.objects.exists()
