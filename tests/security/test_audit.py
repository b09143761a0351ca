"""Audit of exports and printed documents (SPEC §1, §4; issue 7 item 8): every Excel export and every PDF
download of the site writes exactly one AuditLog row — who (actor), what, the action (export / print), the
object, the filters and the row count, and the scope that was applied.

The URLs are those of the authorization matrix: every GET variant of every row is requested once as the
administrator; any answer that is a PDF or an xlsx must have written exactly one audit row. The set of URLs
that answered with a file is compared with the list below, so the test cannot pass on nothing, and a new
export shows up here.
"""

import pytest
from django.test import Client
from django.urls import reverse

from gendan.core.audit import scope_label
from gendan.core.models import AuditLog
from tests.security import matrix as M
from tests.security.test_authorization_matrix import URLS, get_variants

pytestmark = pytest.mark.django_db

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# URL name → (action, `what` written in the audit row)
AUDITED = {
    "order_export": ("export", "orders"),
    "customer_export": ("export", "customers"),
    "ledger:export": ("export", "ledger"),
    "ledger:receivables_export": ("export", "receivables"),
    "performance:team_export": ("export", "team_kpis"),
    "performance:bonus": ("export", "bonus_sheet"),
    "performance:scorecard_export": ("export", "scorecard"),
    "outsourcing:statement": ("export", "outsourcing_fee_statement"),
    "outsourcing:scorecard": ("export", "outsourcing_scorecard"),
    "followup:missed": ("export", "missed_records"),
    "followup:daily": ("export", "daily_log"),
    "followup:weekly": ("export", "weekly_report"),
    "order_notice_pdf": ("print", "business_notice"),
    "review_form_pdf": ("print", "review_form"),
    "quotes:quotation_pdf": ("print", "quotation"),
    "shipping:document": ("print", "shipping.delivery-note"),
    "ledger:invoice_pdf": ("print", "invoice"),
    "complaints:pdf": ("print", "complaint"),
    "outsourcing:pdf": ("print", "outsourcing_order"),
}
# Files that carry no business data: the empty import templates (column titles and instructions only).
NOT_AUDITED = {"order_import_template", "customer_import_template", "product_import_template"}


def file_kind(response) -> str | None:
    content_type = response.get("Content-Type", "").split(";")[0]
    return {PDF: "print", XLSX: "export"}.get(content_type)


def test_every_export_and_pdf_writes_one_audit_row(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.people["admin"])
    files_from: set[str] = set()
    problems = []
    for name, ep in sorted(URLS.items()):
        if ep.get is None or "admin" not in ep.get:
            continue
        for side, _query, params in get_variants(ep, world):
            url = reverse(name, kwargs=ep.path(world, side or "own") if ep.path else {})
            before = AuditLog.objects.count()
            response = client.get(url, params)
            if response.status_code >= 500:
                problems.append(f"{name} {params}: {response.status_code}")
                continue
            kind = file_kind(response)
            rows = list(AuditLog.objects.order_by("id")[before:])
            if kind is None:
                continue
            files_from.add(name)
            if name in NOT_AUDITED:
                continue
            if len(rows) != 1:
                problems.append(f"{name} {params}: {len(rows)} audit rows for one {kind}")
                continue
            (row,) = rows
            action, what = AUDITED.get(name, ("?", "?"))
            if (row.actor_id, row.action, row.what) != (world.people["admin"].pk, action, what):
                problems.append(
                    f"{name}: audit row {row.actor_id} {row.action} {row.what}, not {action} {what}"
                )
            if row.scope != "all":
                problems.append(f"{name}: scope {row.scope!r}")
            if kind == "export" and "rows" not in row.data:
                problems.append(f"{name}: no row count in {row.data}")
            if kind == "print" and not row.object_ref:
                problems.append(f"{name}: the printed document is not named")
    assert problems == []
    assert files_from == set(AUDITED) | NOT_AUDITED


def test_the_audit_row_names_the_scope_filters_and_count_of_a_scoped_export(world):
    m1 = world.people["m1"]
    client = Client()
    client.force_login(m1)
    own = world.side("own")
    response = client.get(reverse("order_export"), {"q": own.customer.name, "status": "partially_shipped"})
    assert response.status_code == 200
    row = AuditLog.objects.order_by("-id").first()
    assert (row.actor, row.action, row.what) == (m1, "export", "orders")
    assert row.scope == scope_label(m1) == f"roles=merchandiser;user={m1.pk}"
    assert row.data["filters"] == {"q": own.customer.name, "status": ["partially_shipped"]}
    exported = M.xlsx_text(response.content)
    assert row.data["rows"] == exported.count(own.customer.name) >= 1  # one row per order line, all counted
    assert world.side("other").customer.name not in exported
    assert row.address == "127.0.0.1"


def test_denied_downloads_write_no_audit_row(world):
    """Someone who may not see the order gets a 404 and leaves no trace of a print that did not happen."""
    client = Client()
    client.force_login(world.people["m2"])
    before = AuditLog.objects.count()
    assert client.get(reverse("order_notice_pdf", args=[world.side("own").order.pk])).status_code == 404
    assert AuditLog.objects.count() == before


def test_audit_rows_are_append_only(world):
    client = Client()
    client.force_login(world.people["gm"])
    client.get(reverse("complaints:pdf", args=[world.side("own").ids["complaint"]]))
    row = AuditLog.objects.order_by("-id").first()
    row.what = "tampered"
    with pytest.raises(Exception, match="append-only"):
        row.save()
    with pytest.raises(Exception, match="append-only"):
        row.delete()
