import pytest
from django.db import transaction

from gendan.core.models import DocumentCounter
from gendan.core.numbering import document_number_next


def test_numbers_are_consecutive_per_series_and_year(db):
    with transaction.atomic():
        assert document_number_next(series="SO", year=2026) == "SO2026-000001"
        assert document_number_next(series="SO", year=2026) == "SO2026-000002"
        assert document_number_next(series="SO", year=2027) == "SO2027-000001"
        assert document_number_next(series="OS", year=2026) == "OS2026-000001"


def test_a_rolled_back_document_gives_its_number_back(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        document_number_next(series="SO", year=2026)
        raise RuntimeError("document failed after drawing its number")
    with transaction.atomic():
        assert document_number_next(series="SO", year=2026) == "SO2026-000001"
    assert DocumentCounter.objects.get(series="SO", year=2026).last == 1


@pytest.mark.django_db(transaction=True)
def test_numbers_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError):
        document_number_next(series="SO", year=2026)
