import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from gendan.core.models import AuditLog
from gendan.performance.models import MonthlyScore
from tests.performance.test_scoring import OCT


def _sheet_values(content: bytes, index: int = 0) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return list(book.worksheets[index].iter_rows(values_only=True))


def test_team_table_scorecard_and_bonus_exports_match_the_screen(client, people, october):
    client.force_login(people["sup"])
    team = client.get("/performance/?month=2026-10")
    assert team.status_code == 200
    scores = {s.merchandiser.username: s for s in MonthlyScore.objects.filter(month=OCT)}
    assert set(scores) == {"m1", "m2"}  # sup's team only; m3 belongs to sup2
    rows = _sheet_values(client.get("/performance/export.xlsx?month=2026-10").content)
    exported = {row[0]: Decimal(str(row[-2])) for row in rows[1:]}
    assert exported == {str(s.merchandiser): s.score for s in scores.values()}
    card = client.get(f"/performance/scores/{scores['m1'].pk}/export.xlsx")
    kpi_rows = _sheet_values(card.content)
    assert ("Score", 55.25) in [(r[0], r[1]) for r in kpi_rows]
    assert october["c"].number in [r[4] for r in kpi_rows]  # the drill-down order behind the KPI
    violations = _sheet_values(card.content, 1)
    assert violations[1][1].startswith("No follow-up")
    bonus = _sheet_values(client.get("/performance/bonus/2026/?format=xlsx").content)
    assert {row[0] for row in bonus[1:]} == {"m1", "m2"}
    assert AuditLog.objects.filter(action="export", actor=people["sup"]).count() == 3


def test_a_merchandiser_sees_only_their_own_scorecard(client, people, october):
    client.force_login(people["m1"])
    client.get("/performance/?month=2026-10")
    other = MonthlyScore.objects.filter(month=OCT).exclude(merchandiser=people["m1"]).first()
    own = MonthlyScore.objects.get(month=OCT, merchandiser=people["m1"])
    assert other is None or client.get(f"/performance/scores/{other.pk}/").status_code == 404
    assert client.get(f"/performance/scores/{own.pk}/").status_code == 200
    assert client.post(f"/performance/scores/{own.pk}/sign/").status_code == 302
    own.refresh_from_db()
    assert own.signed_at is None  # a merchandiser cannot sign their own month
    assert dt.date(2026, 10, 1) == own.month
