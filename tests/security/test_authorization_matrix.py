"""The authorization matrix (SPEC §4, issue 7 item 4): every URL of the site and every operation of the API,
for every role, on m1's objects ("own") and on another team's (m3's, "other").

The expected answers are written out below, one row per URL name / API operation id: who may GET, who may
POST (the role gate), and which scope applies to the object in the path (`scope`: see `matrix.SCOPES`). A
request is *allowed* when the user passes the role gate and (for an object in the path) sees the object; then
it must answer 2xx/3xx (an API write with an invalid body may still answer 400/409/422, never 401/403/404),
and when the row gives a valid body (`writes=True`) it must change the database. A *denied* request answers
403 or 404 and writes nothing (an HTML form whose service refuses the role redirects with the refusal as a
message: it must not write either). Where a write names its object in the body instead of the path (a
complaint on an order, a sample for a customer, an invoice of a shipment line), `scope` applies to that
object: someone who may not see it is refused like an unknown object (400/403/404/422), nothing written.
`query_scope`: a query parameter naming a side's object (?user=, ?order_id=) is scoped like that kind.

Whatever the answer, no response may contain a text of a side that the user may not see (order numbers,
customer name and code, quotation number, exception title …, see `matrix.side_texts`): HTML, JSON (escapes
undone), the text of PDFs (pdftotext) and every cell of xlsx exports are searched. Search parameters (`q`,
`customer`) are tried with each side's identifiers; the values a request sent are taken out of the answer
before searching (a search box shows its query), and a leaking row still carries the side's other texts.

A URL or an API operation missing from the tables fails `test_every_endpoint_is_classified`, so a new endpoint
must be classified before it ships.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gendan.core.api import api as ninja_api
from gendan.reviews.models import ReviewItem
from tests.security import matrix as M
from tests.security.matrix import EVERYONE, SEE_ALL, STATS, but, users
from tests.security.world import SIDES, USERNAMES, World, png_bytes

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)

# --- role groups taken from SPEC §1 and the apps' role constants --------------------------------------------

WITH_ROLE = EVERYONE
WRITERS = but("auditor")
ORDER_ADD = users("merchandiser", "supervisor", "sales", "admin")  # orders.add_order
ORDER_CHANGE = users("merchandiser", "supervisor", "admin")  # orders.change_order
CUSTOMER_CREATE = users("supervisor", "sales", "admin")
PRODUCT_CREATE = users("admin", "supervisor", "merchandiser")
LEADS = users("supervisor", "gm", "admin")
SHIPPERS = users("merchandiser", "supervisor", "admin")
SELLERS = users("sales", "merchandiser", "supervisor", "admin")
PURCHASERS = users("admin", "supervisor", "planner", "purchasing")
SEES_PURCHASING = PURCHASERS | users("gm", "auditor")
BOM_EDITORS = PURCHASERS | users("tech")
PLANNERS = users("planner", "supervisor", "admin")
QC = users("qc", "admin")
CONCEALMENT = users("supervisor", "gm", "auditor", "admin")
INVOICERS = users("merchandiser", "supervisor", "admin", "finance")
COLLECTORS = users("supervisor", "admin", "finance")  # payments: ledger.services._ensure_may_collect
RAISERS = but("auditor")  # merchandiser, supervisor, gm, sales, planner, reviewers, admin
RECORDERS = users("merchandiser", "supervisor", "admin")
OUTSOURCERS = users("merchandiser", "supervisor", "planner", "admin")
CHANGE_RAISERS = users("merchandiser", "supervisor", "admin")  # gendan.changes.workflows.RAISE_ROLES
# withdrawing a file: its uploader (the side's merchandiser, m1 / m3) or a supervisor, the GM, an admin
WITHDRAWERS = users("m1", "m3", "supervisor", "gm", "admin")


@dataclass(frozen=True)
class Ep:
    """One row of the matrix. `get` / `post`: usernames passing the role gate (None: the method is not
    offered, 405 for everyone). `scope`: the scope kind of the object in the path (None: no object).
    `path`: the path kwargs, from the world and the side. `queries`: GET variants ("{...}" filled from the
    side, see `fill`). `data`: the POST body; `writes`: an allowed POST with it must change the database.
    `shows`: an allowed GET of a side's object must show this text of the side (a guard against a check
    that cannot fail)."""

    get: frozenset[str] | None = None
    post: frozenset[str] | None = None
    scope: str | None = None
    path: Callable[[World, str], dict] | None = None
    queries: tuple[dict, ...] = ({},)
    data: Callable[[World, str], dict] | None = None
    writes: bool = False
    shows: str | None = None
    multipart: bool = False
    upload_field: str = ""  # multipart: the file field's name (default: the photo forms' "photo"/"photos")
    query_scope: str | None = None  # a side's parameter (e.g. ?user=) is scoped like this kind
    note: str = ""


def ids(**spec: str) -> Callable[[World, str], dict]:
    """Path kwargs from names: "order", "delivered", "in_review", "draft", "customer", "owner" (the
    merchandiser's user id), "shared:<key>", "=<literal>", or a key of the side's `ids`."""

    def build(world: World, side: str) -> dict:
        return {key: resolve(world, side, value) for key, value in spec.items()}

    return build


def resolve(world: World, side: str, value: str) -> Any:
    s = world.side(side)
    if value.startswith("="):
        return value[1:]
    if value.startswith("shared:"):
        return world.shared[value.split(":", 1)[1]]
    if value in ("order", "delivered", "in_review", "draft", "customer"):
        return getattr(s, value).pk
    if value == "owner":
        return world.people[s.owner].pk
    return s.ids[value]


def fill(world: World, side: str, params: dict) -> dict:
    s = world.side(side)
    values = {
        "order": s.order.number,
        "order_id": s.order.pk,
        "customer": s.customer.name,
        "customer_code": s.customer.code,
        "customer_id": s.customer.pk,
        "owner_id": world.people[s.owner].pk,
        "quotation": s.quotation_number,
        "subcontractor": world.shared["subcontractor"],
    }
    return {key: str(value).format(**values) for key, value in params.items()}


def has_side_params(params: dict) -> bool:
    return any("{" in str(value) for value in params.values())


def sides_of(ep: Ep, params: dict) -> tuple[str | None, ...]:
    return SIDES if ep.scope or has_side_params(params) else (None,)


# --- POST bodies of the HTML forms --------------------------------------------------------------------------


def reason(text: str = "安全测试") -> Callable[[World, str], dict]:
    return lambda world, side: {"reason": text}


def d(**values: Any) -> Callable[[World, str], dict]:
    return lambda world, side: dict(values)


def change_body(world: World, side: str) -> dict:
    """A change request's body: the order as it is with another colour on its first line."""
    from gendan.changes.services import proposal_initial

    data = proposal_initial(order=world.side(side).order)
    data = {key: value for key, value in data.items() if value not in ("", None)}
    data["lines"] = [{k: v for k, v in line.items() if v not in ("", None)} for line in data["lines"]]
    data["lines"][0]["color"] = "安全测试色"
    return {**data, "reason": "安全测试改单", "cause": "customer"}


def change_form(world: World, side: str) -> dict:
    """The same as the page's form posts it."""
    data = change_body(world, side)
    form = {
        key: data[key]
        for key in (
            "customer_po",
            "requested_date",
            "promised_date",
            "payment_terms",
            "requirements",
            "reason",
            "cause",
        )
        if key in data
    }
    form["lines-TOTAL"] = str(len(data["lines"]))
    for index, line in enumerate(data["lines"]):
        for key, value in line.items():
            form[f"lines-{index}-{key}"] = value
    return form


def inspection_form(world: World, side: str) -> dict:
    return {
        "stage": "inline",
        "lot_size": "100",
        "level": "II",
        "aql_critical": "0",
        "aql_major": "2.5",
        "aql_minor": "4.0",
        "critical_found": "0",
        "major_found": "0",
        "minor_found": "0",
        "inspected_on": TODAY.isoformat(),
    }


def complaint_form(world: World, side: str) -> dict:
    return {
        "order": world.side(side).order.pk,
        "type": "quality",
        "severity": "minor",
        "received_on": TODAY.isoformat(),
        "description": "安全测试客诉",
    }


def sample_form(world: World, side: str) -> dict:
    s = world.side(side)
    return {
        "customer": s.customer.code,
        "order": s.order.pk,
        "sample_type": "approval",
        "quantity": "1",
        "sent_on": TODAY.isoformat(),
        "courier": "顺丰",
        "tracking_number": "SF-SEC-9",
    }


def shipment_form(world: World, side: str) -> dict:
    s = world.side(side)
    line = s.order.lines.get(line_no=2)
    return {
        "ship_date": TODAY.isoformat(),
        "expected_arrival": (TODAY + dt.timedelta(days=3)).isoformat(),
        "carrier": "德邦物流",
        "tracking_number": "DB-SEC-9",
        f"line-{line.pk}-quantity": "10",
        f"line-{line.pk}-cartons": "1",
    }


def invoice_form(world: World, side: str) -> dict:
    s = world.side(side)
    line_id = s.ids["uninvoiced_line"]
    return {
        "customer": s.customer.pk,
        "invoice_date": TODAY.isoformat(),
        f"pick-{line_id}": "1",
        f"qty-{line_id}": "1",
    }


def payment_form(world: World, side: str) -> dict:
    s = world.side(side)
    return {
        "customer": s.customer.pk,
        "received_on": TODAY.isoformat(),
        "method": "bank",
        f"alloc-{s.ids['invoice']}": "1.00",
    }


def visit_form(world: World, side: str) -> dict:
    return {
        "visited_on": TODAY.isoformat(),
        "method": "phone",
        "score_quality": "5",
        "score_delivery": "4",
        "score_service": "5",
        "score_communication": "4",
    }


def exception_form(world: World, side: str) -> dict:
    return {"order": world.side(side).order.pk, "type": "quality", "title": "安全测试异常", "severity": "low"}


def records_form(world: World, side: str) -> dict:
    return {"stage": "production", "quantity_done": "20", "state": "normal", "note": "安全测试"}


def review_sign_form(world: World, side: str) -> dict:
    item = ReviewItem.objects.get(pk=world.side(side).ids["open_review_item"])
    return {f"item-{item.pk}-result": "pass", f"item-{item.pk}-comment": "可以"}


def violation_form(world: World, side: str) -> dict:
    return {
        "merchandiser": world.people[world.side(side).owner].pk,
        "code": "attitude",
        "occurred_on": TODAY.isoformat(),
        "description": "安全测试",
    }


def handover_form(world: World, side: str) -> dict:
    return {
        "owner": world.people[world.side(side).owner].pk,
        "starts_on": (TODAY + dt.timedelta(days=40)).isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=45)).isoformat(),
        "reason": "安全测试",
    }


def reassign_form(world: World, side: str) -> dict:
    return {
        "from_id": world.people[world.side(side).owner].pk,
        "to_id": world.people["m2"].pk,
        "reason": "离职",
    }


def quotation_form(world: World, side: str) -> dict:
    return {
        "customer": world.side(side).customer.code,
        "quote_date": TODAY.isoformat(),
        "valid_until": (TODAY + dt.timedelta(days=30)).isoformat(),
        "line-0-product": "SEC-TEE",
        "line-0-quantity": "10",
        "line-0-processing_cost": "1",
    }


def inquiry_form(world: World, side: str) -> dict:
    return {
        "customer": world.side(side).customer.code,
        "subject": "安全测试询价",
        "received_at": TODAY.isoformat(),
        "item-0-product": "SEC-TEE",
        "item-0-quantity": "10",
    }


# --- the HTML site ------------------------------------------------------------------------------------------

SEARCH = ({}, {"q": "{order}"}, {"q": "{customer}"})

URLS: dict[str, Ep] = {
    "core:dashboard": Ep(get=WITH_ROLE),
    # accounts: login and logout are excluded (public by design)
    # catalog (shared master data)
    "catalog:list": Ep(get=WITH_ROLE, queries=({}, {"q": "SEC"})),
    "catalog:create": Ep(
        get=PRODUCT_CREATE,
        post=PRODUCT_CREATE,
        data=d(code="SEC-NEW", name="新款", industry="apparel", unit="件", production_cycle_days="5"),
        writes=True,
    ),
    "catalog:detail": Ep(get=WITH_ROLE, path=ids(pk="shared:product")),
    "product_import": Ep(get=PRODUCT_CREATE, post=PRODUCT_CREATE),
    "product_import_template": Ep(get=WITH_ROLE),
    # customers
    "parties:list": Ep(get=WITH_ROLE, queries=({}, {"q": "{customer_code}"}, {"q": "{customer}"})),
    "parties:create": Ep(
        get=CUSTOMER_CREATE,
        post=CUSTOMER_CREATE,
        data=d(
            code="SEC-C9", name="安全测试新客户", payment_terms="monthly", payment_days="30", credit_limit="0"
        ),
        writes=True,
    ),
    "parties:detail": Ep(get=WITH_ROLE, scope="customer", path=ids(pk="customer"), shows="customer"),
    "customer_import": Ep(get=CUSTOMER_CREATE, post=CUSTOMER_CREATE),
    "customer_import_template": Ep(get=WITH_ROLE),
    "customer_export": Ep(get=WITH_ROLE, queries=({}, {"q": "{customer_code}"})),
    # orders
    "orders:list": Ep(
        get=WITH_ROLE, queries=({}, {"q": "{order}"}, {"q": "{customer}"}, {"customer": "{customer_id}"})
    ),
    "orders:create": Ep(get=ORDER_ADD, post=ORDER_ADD),
    "orders:line_form": Ep(get=WITH_ROLE),
    "orders:planner": Ep(get=WITH_ROLE),
    "orders:detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="order"), shows="order"),
    "orders:edit": Ep(get=ORDER_CHANGE, post=ORDER_CHANGE, scope="draft", path=ids(pk="draft")),
    "orders:action": Ep(
        post=users("merchandiser", "supervisor", "gm", "admin"),
        scope="order",
        path=ids(pk="order", action="=hold"),
        data=reason("客户暂停"),
        writes=True,
        note="hold: leads and merchandisers (orders.workflows)",
    ),
    "order_import": Ep(get=ORDER_ADD, post=ORDER_ADD),
    "order_import_template": Ep(get=WITH_ROLE),
    "order_export": Ep(get=WITH_ROLE, queries=SEARCH + ({"customer": "{customer_id}"},)),
    "order_notice_pdf": Ep(get=WITH_ROLE, scope="order", path=ids(pk="order"), shows="order"),
    # change requests (gendan.changes)
    "changes:list": Ep(get=WITH_ROLE),
    "changes:detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="change_request"), shows="order"),
    "changes:new": Ep(
        get=CHANGE_RAISERS,
        post=CHANGE_RAISERS,
        scope="order",
        path=ids(order_pk="order"),
        data=change_form,
        writes=True,
        note="the order's merchandiser (scope), supervisors, admin",
    ),
    "changes:sign": Ep(
        post=users("admin", "tech"),
        scope="order",
        path=ids(pk="change_request", item_pk="change_item"),
        data=d(result="pass"),
        writes=True,
        note="the technical department's item: its reviewers and admin",
    ),
    "changes:action": Ep(
        post=CHANGE_RAISERS,
        scope="order",
        path=ids(pk="change_request", action="=cancel"),
        data=d(note="撤回"),
        writes=True,
        note="withdraw: who raised it (the side's merchandiser) or a supervisor / admin",
    ),
    "changes:revisions": Ep(get=WITH_ROLE, scope="order", path=ids(order_pk="order"), shows="order"),
    # reviews
    "reviews:list": Ep(get=WITH_ROLE, queries=({}, {"status": "open"})),
    "reviews:detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="review"), shows="order"),
    "reviews:batch": Ep(
        post=users("admin", "reviewer", "planner", "sales"),
        scope="order",
        data=lambda w, s: {"action": "sign", "reviews": [w.side(s).ids["open_review"]]},
        writes=True,
        note="signs the pending items of the user's own departments (sales: business)",
    ),
    "reviews:sign": Ep(
        post=users("admin", "tech"),
        scope="order",
        path=ids(pk="open_review", item_pk="open_review_item"),
        data=review_sign_form,
        writes=True,
        note="the technical department's item: its reviewers and admin",
    ),
    "reviews:approve": Ep(
        post=LEADS, scope="order", path=ids(pk="open_review"), data=d(promised_date="2027-03-01")
    ),
    "reviews:reject": Ep(
        post=LEADS, scope="order", path=ids(pk="open_review"), data=reason("价格不可接受"), writes=True
    ),
    "review_form_pdf": Ep(get=WITH_ROLE, scope="order", path=ids(pk="review"), shows="order"),
    # inbox
    "notify:inbox": Ep(get=WITH_ROLE),
    "notify:badge": Ep(get=WITH_ROLE),
    "notify:read_all": Ep(post=WITH_ROLE),
    "notify:read": Ep(post=EVERYONE, scope="self", path=ids(pk="notification"), writes=True, data=d()),
    "notify:open": Ep(
        get=EVERYONE, post=EVERYONE, scope="self", path=ids(pk="notification"), writes=True, data=d()
    ),
    # my exports: one's own jobs only
    "exports:list": Ep(get=EVERYONE),
    "exports:download": Ep(get=EVERYONE, scope="self", path=ids(pk="export_job")),
    "exports:cancel": Ep(post=EVERYONE, scope="self", path=ids(pk="export_queued"), writes=True, data=d()),
    # follow-up
    "followup:today": Ep(get=WITH_ROLE),
    "followup:plans": Ep(get=WITH_ROLE),
    "followup:order_plan": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order"), shows="order"),
    "followup:plan_generate": Ep(
        post=users("planner", "merchandiser", "supervisor", "admin"),
        scope="order",
        path=ids(order_id="order"),
    ),
    "followup:order_records": Ep(
        get=WITH_ROLE,
        post=RECORDERS,
        scope="order",
        path=ids(order_id="order"),
        data=records_form,
        writes=True,
        shows="order",
    ),
    "followup:shipment_confirm": Ep(
        post=RECORDERS, scope="order", path=ids(order_id="order"), data=d(quantity_shipped="10"), writes=True
    ),
    "followup:milestone_move": Ep(
        get=WITH_ROLE,
        post=users("planner", "supervisor", "admin"),
        scope="order",
        path=ids(pk="milestone"),
        data=d(planned_date="2027-01-04", reason="安全测试"),
        writes=True,
    ),
    "followup:milestone_actual": Ep(
        post=users("planner", "merchandiser", "supervisor", "reviewer", "admin"),
        scope="order",
        path=ids(pk="milestone"),
        data=d(actual_date=TODAY.isoformat()),
        writes=True,
    ),
    "followup:photo": Ep(get=WITH_ROLE, scope="order", path=ids(pk="photo")),
    "followup:missed": Ep(get=WITH_ROLE, queries=({}, {"format": "xlsx"})),
    "followup:risk": Ep(get=WITH_ROLE),
    "followup:concealment": Ep(get=CONCEALMENT),
    "followup:exceptions": Ep(get=WITH_ROLE, queries=({}, {"q": "{order}"})),
    "followup:exception_new": Ep(
        get=WITH_ROLE,
        post=RAISERS,
        queries=({}, {"order": "{order_id}"}),
        data=exception_form,
        writes=True,
        scope="order",
        note="the order is in the body: someone who cannot see it is refused like a missing order",
    ),
    "followup:exception_detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="exception"), shows="order"),
    "followup:exception_action": Ep(
        post=RAISERS,
        scope="order",
        path=ids(pk="exception", action="=escalate"),
        data=d(text="升级"),
        writes=True,
    ),
    "followup:daily": Ep(
        get=WITH_ROLE,
        post=WRITERS,
        queries=({}, {"format": "xlsx"}, {"user": "{owner_id}"}, {"user": "{owner_id}", "format": "xlsx"}),
        data=d(notes="安全测试"),
        writes=True,
        query_scope="merch",
    ),
    "followup:weekly": Ep(
        get=WITH_ROLE,
        post=WRITERS,
        queries=({}, {"format": "xlsx"}, {"user": "{owner_id}"}, {"user": "{owner_id}", "format": "xlsx"}),
        data=d(notes="安全测试"),
        writes=True,
        query_scope="merch",
    ),
    # materials
    "materials:list": Ep(get=WITH_ROLE),
    "materials:create": Ep(
        get=BOM_EDITORS,
        post=BOM_EDITORS,
        data=d(code="SEC-M9", name="安全测试辅料", unit="个"),
        writes=True,
    ),
    "materials:detail": Ep(get=WITH_ROLE, path=ids(pk="shared:material")),
    "materials:adjust": Ep(
        post=PURCHASERS, path=ids(pk="shared:material"), data=d(quantity="5", note="盘点"), writes=True
    ),
    "materials:bom": Ep(
        get=WITH_ROLE,
        post=BOM_EDITORS,
        path=ids(product_pk="shared:product"),
        data=d(material="FAB-01", usage_per_unit="0.3"),
        writes=True,
    ),
    "materials:bom_remove": Ep(post=BOM_EDITORS, path=ids(pk="shared:bom_line"), data=d(), writes=True),
    "materials:requests": Ep(get=WITH_ROLE, queries=({}, {"q": "{order}"})),
    "materials:po_list": Ep(get=SEES_PURCHASING),
    "materials:po_create": Ep(post=PURCHASERS),
    "materials:po_detail": Ep(
        get=SEES_PURCHASING,
        path=ids(pk="purchase_order"),
        note="buyers see every purchase order; a line names only the orders the viewer may see",
    ),
    "materials:po_expected": Ep(
        post=PURCHASERS, path=ids(pk="purchase_order"), data=d(expected_date="2027-01-10"), writes=True
    ),
    "materials:po_cancel": Ep(post=PURCHASERS, path=ids(pk="purchase_order"), data=reason(), writes=True),
    "materials:po_receive": Ep(
        post=PURCHASERS,
        path=ids(pk="po_line"),
        data=d(quantity="1", received_on=TODAY.isoformat()),
        writes=True,
    ),
    "materials:order": Ep(get=WITH_ROLE, scope="order", path=ids(order_pk="order"), shows="order"),
    "materials:scan": Ep(post=PURCHASERS),
    # capacity (loads and routes carry no customer data)
    "capacity:load": Ep(get=WITH_ROLE),
    "capacity:run": Ep(post=PLANNERS, data=d(mode="full"), writes=True),
    "capacity:schedule": Ep(get=WITH_ROLE),
    "capacity:work_centres": Ep(
        get=WITH_ROLE, post=PLANNERS, data=d(code="SEC-WC", name="安全测试", daily_minutes="480"), writes=True
    ),
    "capacity:work_centre_edit": Ep(get=PLANNERS, post=PLANNERS, path=ids(pk="shared:work_centre")),
    "capacity:route": Ep(
        get=WITH_ROLE,
        post=PLANNERS,
        path=ids(product_pk="shared:product"),
        data=d(steps="SEW1 6"),
        writes=True,
    ),
    # outsourcing
    "outsourcing:list": Ep(get=WITH_ROLE, queries=({}, {"q": "{order}"})),
    "outsourcing:statement": Ep(
        get=WITH_ROLE,
        queries=(
            {},
            {"subcontractor": "{subcontractor}", "month": "2026-11"},
            {"subcontractor": "{subcontractor}", "month": "2026-11", "format": "xlsx"},
        ),
        query_scope="supplier",
    ),
    "outsourcing:scorecard": Ep(
        get=WITH_ROLE,
        queries=({}, {"date_from": "2026-11-01", "date_to": "2026-12-31", "format": "xlsx"}),
    ),
    "outsourcing:order": Ep(get=WITH_ROLE, post=OUTSOURCERS, scope="order", path=ids(order_id="order")),
    "outsourcing:new": Ep(get=WITH_ROLE, post=OUTSOURCERS, scope="order", path=ids(order_id="order")),
    "outsourcing:plan_cancel": Ep(
        post=OUTSOURCERS, scope="order", path=ids(pk="plan_item"), data=d(), writes=True
    ),
    "outsourcing:detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="outsourcing_order"), shows="order"),
    "outsourcing:edit": Ep(get=WITH_ROLE, post=OUTSOURCERS, scope="order", path=ids(pk="outsourcing_draft")),
    "outsourcing:pdf": Ep(get=WITH_ROLE, scope="order", path=ids(pk="outsourcing_order")),
    "outsourcing:action": Ep(
        post=OUTSOURCERS,
        scope="order",
        path=ids(pk="outsourcing_order", action="=dispatch"),
        data=d(quantity="5", dispatched_on=TODAY.isoformat()),
        writes=True,
    ),
    # quality
    "quality:list": Ep(get=WITH_ROLE, queries=({}, {"q": "{order}"})),
    "quality:aql": Ep(get=WITH_ROLE, queries=({}, {"lot_size": "500"})),
    "quality:order": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order"), shows="order"),
    "quality:new": Ep(
        get=WITH_ROLE, post=QC, scope="order", path=ids(order_id="order"), data=inspection_form, writes=True
    ),
    "quality:detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="inspection"), shows="order"),
    "quality:action": Ep(
        post=users("qc", "supervisor", "admin"),
        scope="order",
        path=ids(pk="inspection", action="=cancel"),
        data=reason(),
        writes=True,
    ),
    # quotes
    "quotes:quotations": Ep(get=WITH_ROLE, queries=({}, {"q": "{quotation}"})),
    "quotes:quotation_create": Ep(
        get=WITH_ROLE, post=SELLERS, note="an empty form for anyone; the service refuses"
    ),
    "quotes:quotation_detail": Ep(get=WITH_ROLE, scope="quote", path=ids(pk="quotation")),
    "quotes:quotation_revise": Ep(get=WITH_ROLE, post=SELLERS, scope="quote", path=ids(pk="quotation")),
    "quotes:quotation_action": Ep(
        post=SELLERS, scope="quote", path=ids(pk="quotation", action="=send"), data=d(), writes=True
    ),
    "quotes:quotation_pdf": Ep(get=WITH_ROLE, scope="quote", path=ids(pk="quotation")),
    "quotes:inquiries": Ep(get=WITH_ROLE),
    "quotes:inquiry_create": Ep(get=WITH_ROLE, post=SELLERS),
    "quotes:inquiry_detail": Ep(get=WITH_ROLE, post=SELLERS, scope="quote", path=ids(pk="inquiry")),
    # shipping
    "shipping:list": Ep(get=WITH_ROLE, queries=({}, {"q": "{order}"}, {"q": "{customer}"})),
    "shipping:create": Ep(
        get=WITH_ROLE,
        post=SHIPPERS,
        scope="order",
        path=ids(order_pk="order"),
        data=shipment_form,
        writes=True,
    ),
    "shipping:detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="shipment"), shows="order"),
    "shipping:receive": Ep(
        post=SHIPPERS,
        scope="order",
        path=ids(pk="shipment"),
        data=d(received_on=TODAY.isoformat(), received_by="仓库"),
        writes=True,
    ),
    "shipping:cancel": Ep(
        post=users("supervisor", "admin"), scope="order", path=ids(pk="shipment"), data=reason()
    ),
    "shipping:document": Ep(get=WITH_ROLE, scope="order", path=ids(pk="shipment", document="=delivery-note")),
    "shipping:samples": Ep(
        get=WITH_ROLE,
        post=users("merchandiser", "supervisor", "sales", "admin"),
        data=sample_form,
        writes=True,
        scope="order",
        note="the customer and order are in the body: one the user cannot see is refused as unknown",
    ),
    "shipping:sample_detail": Ep(
        get=WITH_ROLE,
        post=users("merchandiser", "supervisor", "sales", "admin"),
        scope="order",
        path=ids(pk="sample"),
        data=d(feedback="approved", feedback_on=TODAY.isoformat()),
        writes=True,
    ),
    # ledger
    "ledger:list": Ep(get=WITH_ROLE, queries=({}, {"customer": "{customer_id}"})),
    "ledger:export": Ep(get=WITH_ROLE, queries=({}, {"customer": "{customer_id}"})),
    "ledger:month_end": Ep(get=WITH_ROLE, queries=({}, {"year": "2026", "month": "11"})),
    "ledger:balances": Ep(get=WITH_ROLE, queries=({}, {"year": "2026"})),
    "ledger:reconcile": Ep(get=SEE_ALL),
    "ledger:invoices": Ep(get=WITH_ROLE, queries=({}, {"q": "{customer}"})),
    "ledger:invoice_create": Ep(
        get=WITH_ROLE,
        post=INVOICERS,
        queries=({}, {"customer": "{customer_id}"}),
        data=invoice_form,
        writes=True,
        scope="order",
        note="the customer is a parameter: one the user cannot see shows nothing",
    ),
    "ledger:invoice_detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="invoice"), shows="customer"),
    "ledger:invoice_pdf": Ep(get=WITH_ROLE, scope="order", path=ids(pk="invoice"), shows="customer"),
    "ledger:invoice_cancel": Ep(post=INVOICERS, scope="order", path=ids(pk="invoice"), data=reason()),
    "ledger:payments": Ep(get=WITH_ROLE),
    "ledger:payment_create": Ep(
        get=WITH_ROLE,
        post=COLLECTORS,
        queries=({}, {"customer": "{customer_id}"}),
        data=payment_form,
        writes=True,
        scope="order",
    ),
    "ledger:receivables": Ep(get=WITH_ROLE),
    "ledger:receivables_export": Ep(get=WITH_ROLE),
    "ledger:dunning": Ep(get=WITH_ROLE, queries=({}, {"as_of": "2027-06-30"})),
    # comment threads (gendan.discussion): whoever sees the order writes, except read-only roles; only the
    # author edits (within 15 minutes: no write asserted), the author or an admin withdraws
    "discussion:post": Ep(
        post=WRITERS,
        scope="order",
        path=ids(owner_type="=order", owner_id="order"),
        data=d(body="安全测试留言"),
        writes=True,
    ),
    "discussion:edit": Ep(
        post=users("m1", "m3"), scope="order", path=ids(pk="comment"), data=d(body="安全测试修改")
    ),
    "discussion:withdraw": Ep(
        post=users("m1", "m3", "admin"), scope="order", path=ids(pk="comment"), data=d(), writes=True
    ),
    # complaints
    "complaints:list": Ep(get=WITH_ROLE, queries=({}, {"q": "{order}"}, {"q": "{customer}"})),
    "complaints:create": Ep(
        get=WITH_ROLE,
        post=users("merchandiser", "sales", "supervisor", "admin"),
        data=complaint_form,
        writes=True,
        scope="order",
    ),
    "complaints:detail": Ep(get=WITH_ROLE, scope="order", path=ids(pk="complaint"), shows="order"),
    "complaints:action": Ep(
        post=LEADS,
        scope="order",
        path=ids(pk="complaint", action="=investigate"),
        data=d(text="quality"),
        writes=True,
    ),
    "complaints:photo_add": Ep(
        post=users("merchandiser", "sales", "supervisor", "reviewer", "admin"),
        scope="order",
        path=ids(pk="complaint"),
        multipart=True,
        writes=True,
    ),
    "complaints:photo": Ep(
        get=WITH_ROLE, scope="order", path=ids(pk="complaint", photo_pk="complaint_photo")
    ),
    "complaints:violation": Ep(
        post=LEADS, scope="order", path=ids(pk="complaint"), data=d(note="隐瞒质量问题"), writes=True
    ),
    "complaints:pdf": Ep(get=WITH_ROLE, scope="order", path=ids(pk="complaint"), shows="order"),
    # files on the record (gendan.files): scope of the owner's order, downloads audited
    "files:download": Ep(get=WITH_ROLE, scope="order", path=ids(pk="attachment")),
    "files:withdraw": Ep(
        post=WITHDRAWERS, scope="order", path=ids(pk="attachment"), data=reason(), writes=True
    ),
    "files:upload": Ep(
        post=WRITERS,
        scope="order",
        path=ids(owner_type="=complaint", owner_id="complaint"),
        data=d(kind="approval"),
        multipart=True,
        upload_field="file",
        writes=True,
    ),
    # return visits
    "visits:list": Ep(get=WITH_ROLE),
    "visits:satisfaction": Ep(get=WITH_ROLE),
    "visits:detail": Ep(
        get=WITH_ROLE,
        post=users("merchandiser", "supervisor", "sales", "admin"),
        scope="order",
        path=ids(pk="visit"),
        data=visit_form,
        writes=True,
    ),
    # performance
    "performance:team": Ep(get=WITH_ROLE),
    "performance:team_refresh": Ep(post=LEADS, data=d(), writes=True),
    "performance:team_export": Ep(get=WITH_ROLE),
    "performance:scorecard": Ep(get=WITH_ROLE, scope="merch", path=ids(pk="score")),
    "performance:scorecard_export": Ep(get=WITH_ROLE, scope="merch", path=ids(pk="score")),
    "performance:score_sign": Ep(
        post=LEADS, scope="merch", path=ids(pk="score"), data=d(), note="the month is open"
    ),
    "performance:violations": Ep(get=WITH_ROLE),
    "performance:violation_new": Ep(post=LEADS, data=violation_form, writes=True, scope="merch"),
    "performance:violation_action": Ep(
        post=LEADS, scope="merch", path=ids(pk="violation", action="=revoke"), data=reason(), writes=True
    ),
    "performance:bonus": Ep(get=WITH_ROLE, path=ids(year="=2026"), queries=({}, {"format": "xlsx"})),
    "performance:bonus_approve": Ep(
        post=users("gm", "admin"), scope="merch", path=ids(year="=2026", user_id="owner")
    ),
    "performance:handovers": Ep(
        get=WITH_ROLE, post=but("auditor"), data=handover_form, scope="merch", writes=True
    ),
    "performance:handover": Ep(get=WITH_ROLE, post=LEADS, scope="merch", path=ids(pk="handover")),
    # permanent reassignment (gendan.reassignments): a lead for their team, the GM and the admin decide
    "reassignments:new": Ep(
        get=WITH_ROLE,
        post=LEADS,
        scope="merch",
        queries=({}, {"from_id": "{owner_id}"}),
        data=reassign_form,
        note="sup2's team has no second merchandiser to take over: a field error, so writes are not demanded",
    ),
    "reassignments:detail": Ep(get=WITH_ROLE, scope="reassignment", path=ids(pk="reassignment")),
}

EXCLUDED_URLS = {
    "healthz": "public health check, no data",
    "set_language": "django.conf.urls.i18n, no data",
    "accounts:login": "public by design (throttled: tests/reliability)",
    "accounts:logout": "public by design",
}


# --- the REST API (operation ids of /api/v1/openapi.json) ---------------------------------------------------


def body(**values: Any) -> Callable[[World, str], dict]:
    return lambda world, side: dict(values)


def order_body(world: World, side: str, **extra: Any) -> dict:
    s = world.side(side)
    return {
        "customer": s.customer.code,
        "customer_po": "SEC-API-NEW",
        "order_date": TODAY.isoformat(),
        "requested_date": (TODAY + dt.timedelta(days=60)).isoformat(),
        "lines": [{"product": "SEC-TEE", "quantity": "10", "unit_price": "12.50"}],
        **extra,
    }


def order_batch_body(world: World, side: str) -> dict:
    return {"orders": [order_body(world, side, customer_po="SEC-API-BATCH")]}


def order_update_body(world: World, side: str) -> dict:
    draft = world.side(side).draft
    draft.refresh_from_db()
    return order_body(world, side, customer_po=draft.customer_po, version=draft.version)


def shipment_body(world: World, side: str) -> dict:
    s = world.side(side)
    line = s.order.lines.get(line_no=2)
    return {
        "order": s.order.pk,
        "ship_date": TODAY.isoformat(),
        "expected_arrival": (TODAY + dt.timedelta(days=3)).isoformat(),
        "carrier": "德邦物流",
        "tracking_number": "DB-SEC-API",
        "lines": [{"order_line": line.pk, "quantity": "10", "cartons": 1}],
    }


def plan_item_body(world: World, side: str) -> dict:
    return {
        "order_id": world.side(side).order.pk,
        "process": "printing",
        "subcontractor_id": world.shared["subcontractor"],
        "quantity": "10",
        "planned_send_date": "2026-12-02",
        "planned_return_date": "2026-12-05",
    }


def oo_body(world: World, side: str) -> dict:
    return {
        "order_id": world.side(side).order.pk,
        "subcontractor_id": world.shared["subcontractor"],
        "process": "washing",
        "quantity": "10",
        "unit_price": "0.5",
        "due_date": "2026-12-20",
    }


def inquiry_body(world: World, side: str) -> dict:
    return {
        "customer": world.side(side).customer.code,
        "subject": "安全测试询价",
        "items": [{"product": "SEC-TEE", "quantity": "10"}],
    }


def quotation_body(world: World, side: str) -> dict:
    return {
        "customer": world.side(side).customer.code,
        "valid_until": (TODAY + dt.timedelta(days=30)).isoformat(),
        "lines": [{"product": "SEC-TEE", "quantity": "10", "processing_cost": "1"}],
    }


def sample_body(world: World, side: str) -> dict:
    return {**sample_form(world, side), "order": world.side(side).order.pk}


def complaint_body(world: World, side: str) -> dict:
    return {**complaint_form(world, side), "quantity_affected": "1", "claim_amount": "0"}


def payment_body(world: World, side: str) -> dict:
    invoice = world.side(side).ids["invoice"]
    return {"received_on": TODAY.isoformat(), "allocations": [{"invoice": invoice, "amount": "1.00"}]}


def sign_body(world: World, side: str) -> dict:
    return {"result": "pass", "comment": "可以"}


def visit_body(world: World, side: str) -> dict:
    return {
        key: (int(value) if key.startswith("score_") else value)
        for key, value in visit_form(world, side).items()
    }


API: dict[str, Ep] = {
    # accounts: me and my own tokens
    "gendan_accounts_api_me": Ep(get=EVERYONE),
    "gendan_accounts_api_token_create": Ep(post=WRITERS, data=body(name="cli"), writes=True),  # issue 21
    "gendan_accounts_api_token_list": Ep(get=EVERYONE),
    "gendan_accounts_api_token_revoke": Ep(
        post=EVERYONE, scope="self", path=ids(token_id="token"), writes=True
    ),
    # customers and products
    "gendan_parties_api_customer_list_view": Ep(
        get=WITH_ROLE, queries=({}, {"q": "{customer_code}"}, {"q": "{customer}"})
    ),
    "gendan_parties_api_customer_create_view": Ep(
        post=CUSTOMER_CREATE, data=body(code="SEC-API-C", name="接口新客户"), writes=True
    ),
    "gendan_parties_api_customer_detail": Ep(
        get=WITH_ROLE, scope="customer", path=ids(customer_id="customer"), shows="customer"
    ),
    "gendan_catalog_api_product_list_view": Ep(get=WITH_ROLE),
    "gendan_catalog_api_product_create_view": Ep(
        post=PRODUCT_CREATE, data=body(code="SEC-API-P", name="接口新款"), writes=True
    ),
    "gendan_catalog_api_product_detail": Ep(get=WITH_ROLE, path=ids(product_id="shared:product")),
    # orders
    "gendan_orders_api_order_list_view": Ep(
        get=WITH_ROLE, queries=({}, {"q": "{order}"}, {"q": "{customer}"}, {"customer": "{customer_id}"})
    ),
    "gendan_orders_api_order_create_view": Ep(post=ORDER_ADD, data=order_body, writes=True, scope="customer"),
    "gendan_orders_api_order_batch_create_view": Ep(
        post=ORDER_ADD, data=order_batch_body, writes=True, scope="customer"
    ),
    "gendan_orders_api_planner_queue_view": Ep(get=WITH_ROLE),
    "gendan_orders_api_order_detail": Ep(
        get=WITH_ROLE, scope="order", path=ids(order_id="order"), shows="order"
    ),
    "gendan_orders_api_order_update_view": Ep(
        post=ORDER_CHANGE, scope="draft", path=ids(order_id="draft"), data=order_update_body, writes=True
    ),
    "gendan_orders_api_order_events": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    "gendan_orders_api_order_action": Ep(
        post=users("merchandiser", "supervisor", "gm", "admin"),
        scope="order",
        path=ids(order_id="order", action="=hold"),
        data=reason("客户暂停"),
        writes=True,
    ),
    # reassignments
    "gendan_reassignments_api_checklist_view": Ep(
        get=LEADS, queries=({"from_id": "{owner_id}"},), query_scope="merch"
    ),
    "gendan_reassignments_api_reassignment_create_view": Ep(post=LEADS, scope="merch", data=reassign_form),
    "gendan_reassignments_api_reassignment_detail": Ep(
        get=WITH_ROLE, scope="reassignment", path=ids(reassignment_id="reassignment")
    ),
    # reviews
    "gendan_reviews_api_review_list_view": Ep(get=WITH_ROLE),
    "gendan_reviews_api_review_detail": Ep(
        get=WITH_ROLE, scope="order", path=ids(review_id="review"), shows="order"
    ),
    "gendan_reviews_api_review_item_sign_view": Ep(
        post=users("admin", "tech"),
        scope="order",
        path=ids(review_id="open_review", item_id="open_review_item"),
        data=sign_body,
        writes=True,
    ),
    "gendan_reviews_api_review_approve_view": Ep(
        post=LEADS, scope="order", path=ids(review_id="open_review"), data=body(promised_date="2027-03-01")
    ),
    "gendan_reviews_api_review_reject_view": Ep(
        post=LEADS, scope="order", path=ids(review_id="open_review"), data=reason("价格不可接受"), writes=True
    ),
    "gendan_reviews_api_review_sign_batch_view": Ep(
        post=users("admin", "tech"),
        scope="order",
        data=lambda w, s: {"items": [w.side(s).ids["open_review_item"]], "result": "pass", "comment": "可以"},
        writes=True,
        note="the technical department's item named in the body",
    ),
    # change requests (gendan.changes)
    "gendan_changes_api_order_change_requests": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    "gendan_changes_api_order_change_proposal": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    "gendan_changes_api_order_change_raise": Ep(
        post=CHANGE_RAISERS, scope="order", path=ids(order_id="order"), data=change_body, writes=True
    ),
    "gendan_changes_api_order_revision_list": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    "gendan_changes_api_order_revision_detail": Ep(
        get=WITH_ROLE, scope="order", path=ids(order_id="order", number="=0"), shows="order"
    ),
    "gendan_changes_api_change_request_list_view": Ep(get=WITH_ROLE, queries=({}, {"awaiting": "true"})),
    "gendan_changes_api_change_request_detail_view": Ep(
        get=WITH_ROLE, scope="order", path=ids(cr_id="change_request"), shows="order"
    ),
    "gendan_changes_api_change_request_sign_view": Ep(
        post=users("admin", "tech"),
        scope="order",
        path=ids(cr_id="change_request", item_id="change_item"),
        data=sign_body,
        writes=True,
    ),
    "gendan_changes_api_change_request_action_view": Ep(
        post=CHANGE_RAISERS,
        scope="order",
        path=ids(cr_id="change_request", action="=cancel"),
        data=body(note="撤回"),
        writes=True,
        note="withdraw: who raised it or a supervisor / admin",
    ),
    "gendan_reviews_api_review_approve_batch_view": Ep(
        post=LEADS,
        scope="order",
        data=lambda w, s: {"reviews": [{"id": w.side(s).ids["open_review"], "promised_date": "2027-03-01"}]},
        note="not every item is signed: the leads who see it get 400, nobody writes",
    ),
    "gendan_orders_api_bulk_order_release_batch_view": Ep(
        post=users("merchandiser", "supervisor", "admin"),
        scope="order",
        data=lambda w, s: {"orders": [w.side(s).order.pk]},
        note="the order is in production: whoever may release it gets 409, nobody writes",
    ),
    # notifications: one's own only
    "gendan_notify_api_list_notifications": Ep(get=EVERYONE),
    "gendan_notify_api_unread_count": Ep(get=EVERYONE),
    "gendan_notify_api_read_all": Ep(post=EVERYONE),
    "gendan_notify_api_get_notification": Ep(
        get=EVERYONE, scope="self", path=ids(notification_id="notification")
    ),
    "gendan_notify_api_read_one": Ep(
        post=EVERYONE, scope="self", path=ids(notification_id="notification"), writes=True
    ),
    # exports: anyone may start one (their own scope applies when it runs); jobs are one's own only
    "gendan_exports_api_export_start": Ep(post=EVERYONE, data=body(kind="customers"), writes=True),
    "gendan_exports_api_export_list": Ep(get=EVERYONE),
    "gendan_exports_api_export_get": Ep(get=EVERYONE, scope="self", path=ids(job_id="export_job")),
    "gendan_exports_api_export_download": Ep(get=EVERYONE, scope="self", path=ids(job_id="export_job")),
    "gendan_exports_api_export_cancel": Ep(
        post=EVERYONE, scope="self", path=ids(job_id="export_queued"), writes=True
    ),
    # follow-up
    "gendan_followup_api_plan_get": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    "gendan_followup_api_plan_generate": Ep(
        post=users("planner", "merchandiser", "supervisor", "admin"),
        scope="order",
        path=ids(order_id="order"),
    ),
    "gendan_followup_api_milestone_move": Ep(
        post=users("planner", "supervisor", "admin"),
        scope="order",
        path=ids(milestone_id="milestone"),
        data=body(planned_date="2027-01-04", reason="安全测试"),
        writes=True,
    ),
    "gendan_followup_api_milestone_actual": Ep(
        post=users("planner", "merchandiser", "supervisor", "reviewer", "admin"),
        scope="order",
        path=ids(milestone_id="milestone"),
        data=body(actual_date=TODAY.isoformat()),
        writes=True,
    ),
    "gendan_followup_api_milestone_owner": Ep(
        post=users("planner", "supervisor", "admin"),
        scope="order",
        path=ids(milestone_id="milestone"),
        data=body(owner_id=None),
        writes=True,
    ),
    "gendan_followup_api_records_list": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    "gendan_followup_api_record_create": Ep(
        post=RECORDERS,
        scope="order",
        path=ids(order_id="order"),
        data=body(stage="production", quantity_done="20"),
        writes=True,
    ),
    # files on the record (gendan.files)
    "gendan_files_api_attachment_list_api": Ep(
        get=WITH_ROLE,
        queries=({"owner_type": "order", "owner_id": "{order_id}"},),
        query_scope="order",
    ),
    "gendan_files_api_attachment_add_api": Ep(
        post=WRITERS,
        scope="order",
        data=lambda world, side: {
            "owner_type": "complaint",
            "owner_id": world.side(side).ids["complaint"],
            "kind": "approval",
        },
        multipart=True,
        upload_field="file",
        writes=True,
    ),
    "gendan_files_api_order_attachment_list_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(order_id="order")
    ),
    "gendan_files_api_order_attachment_add_api": Ep(
        post=WRITERS,
        scope="order",
        path=ids(order_id="order"),
        data=body(kind="artwork"),
        multipart=True,
        upload_field="file",
        writes=True,
    ),
    "gendan_files_api_attachment_download_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(attachment_id="attachment")
    ),
    "gendan_files_api_attachment_withdraw_api": Ep(
        post=WITHDRAWERS,
        scope="order",
        path=ids(attachment_id="attachment"),
        data=body(reason="安全测试"),
        writes=True,
    ),
    "gendan_followup_api_record_photos": Ep(
        post=RECORDERS, scope="order", path=ids(record_id="record"), multipart=True, writes=True
    ),
    "gendan_followup_api_shipment_confirm": Ep(
        post=RECORDERS,
        scope="order",
        path=ids(order_id="order"),
        data=body(quantity_shipped="10"),
        writes=True,
    ),
    "gendan_followup_api_missed_records": Ep(get=WITH_ROLE),
    "gendan_followup_api_exceptions_list": Ep(get=WITH_ROLE),
    "gendan_followup_api_exception_create": Ep(
        post=RAISERS,
        scope="order",
        data=lambda w, s: {"order_id": w.side(s).order.pk, "type": "quality", "title": "安全测试异常"},
        writes=True,
    ),
    "gendan_followup_api_exception_detail": Ep(
        get=WITH_ROLE, scope="order", path=ids(exception_id="exception"), shows="order"
    ),
    "gendan_followup_api_exception_action": Ep(
        post=RAISERS,
        scope="order",
        path=ids(exception_id="exception", action="=escalate"),
        data=body(text="升级"),
        writes=True,
    ),
    "gendan_followup_api_risk_list": Ep(get=WITH_ROLE),
    "gendan_followup_api_concealment": Ep(get=CONCEALMENT),
    # materials
    "gendan_materials_api_material_list_api": Ep(get=WITH_ROLE),
    "gendan_materials_api_material_create_api": Ep(
        post=BOM_EDITORS, data=body(code="SEC-API-M", name="接口辅料", unit="个"), writes=True
    ),
    "gendan_materials_api_material_detail_api": Ep(get=WITH_ROLE, path=ids(material_id="shared:material")),
    "gendan_materials_api_material_adjust_api": Ep(
        post=PURCHASERS,
        path=ids(material_id="shared:material"),
        data=body(quantity="5", note="盘点"),
        writes=True,
    ),
    "gendan_materials_api_bom_api": Ep(get=WITH_ROLE, path=ids(product_id="shared:product")),
    "gendan_materials_api_bom_set_api": Ep(
        post=BOM_EDITORS,
        path=ids(product_id="shared:product"),
        data=body(material="FAB-01", usage_per_unit="0.3"),
        writes=True,
    ),
    "gendan_materials_api_request_list_api": Ep(get=WITH_ROLE),
    "gendan_materials_api_po_list_api": Ep(get=SEES_PURCHASING),
    "gendan_materials_api_po_create_api": Ep(
        post=PURCHASERS,
        data=lambda w, s: {
            "supplier": "S001",
            "requests": [w.side("own").ids["purchase_request"]],  # already ordered: a valid body, refused
            "expected_date": "2027-01-10",
        },
    ),
    "gendan_materials_api_po_detail_api": Ep(get=SEES_PURCHASING, path=ids(po_id="purchase_order")),
    "gendan_materials_api_po_expected_api": Ep(
        post=PURCHASERS, path=ids(po_id="purchase_order"), data=body(expected_date="2027-01-10"), writes=True
    ),
    "gendan_materials_api_po_cancel_api": Ep(
        post=PURCHASERS, path=ids(po_id="purchase_order"), data=reason(), writes=True
    ),
    "gendan_materials_api_po_receive_api": Ep(
        post=PURCHASERS, path=ids(line_id="po_line"), data=body(quantity="1"), writes=True
    ),
    "gendan_materials_api_order_materials_api": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    "gendan_materials_api_scan_api": Ep(post=PURCHASERS),
    # capacity
    "gendan_capacity_api_work_centre_list_api": Ep(get=WITH_ROLE),
    "gendan_capacity_api_work_centre_create_api": Ep(
        post=PLANNERS, data=body(code="SEC-WC2", name="接口", daily_minutes=480), writes=True
    ),
    "gendan_capacity_api_work_centre_update_api": Ep(
        post=PLANNERS,
        path=ids(wc_id="shared:work_centre"),
        data=body(code="SEW1", name="缝制一线", daily_minutes=500, version=1),
        writes=True,
    ),
    "gendan_capacity_api_route_api": Ep(get=WITH_ROLE, path=ids(product_id="shared:product")),
    "gendan_capacity_api_route_set_api": Ep(
        post=PLANNERS,
        path=ids(product_id="shared:product"),
        data=body(steps=[{"work_centre": "SEW1", "minutes_per_piece": "6"}]),
        writes=True,
    ),
    "gendan_capacity_api_schedule_api": Ep(get=WITH_ROLE),
    "gendan_capacity_api_schedule_order_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(order_id="in_review"), note="orders in review are scheduled"
    ),
    "gendan_capacity_api_schedule_preview_api": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    "gendan_capacity_api_load_api": Ep(get=WITH_ROLE),
    "gendan_capacity_api_run_api": Ep(post=PLANNERS, data=body(full=True), writes=True),
    # outsourcing
    "gendan_outsourcing_api_plan_list": Ep(
        get=WITH_ROLE, queries=({"order_id": "{order_id}"},), query_scope="order"
    ),
    "gendan_outsourcing_api_plan_create": Ep(
        post=OUTSOURCERS, scope="order", data=plan_item_body, writes=True
    ),
    "gendan_outsourcing_api_plan_update": Ep(
        post=OUTSOURCERS,
        scope="order",
        path=ids(item_id="plan_item"),
        data=lambda w, s: {**plan_item_body(w, s), "version": 1},
        writes=True,
    ),
    "gendan_outsourcing_api_plan_cancel": Ep(
        post=OUTSOURCERS, scope="order", path=ids(item_id="plan_item"), writes=True
    ),
    "gendan_outsourcing_api_outsourcing_orders": Ep(get=WITH_ROLE, queries=({}, {"q": "{order}"})),
    "gendan_outsourcing_api_outsourcing_order_create": Ep(
        post=OUTSOURCERS, scope="order", data=oo_body, writes=True
    ),
    "gendan_outsourcing_api_outsourcing_order_detail": Ep(
        get=WITH_ROLE, scope="order", path=ids(oo_id="outsourcing_order"), shows="order"
    ),
    "gendan_outsourcing_api_outsourcing_order_issue": Ep(
        post=OUTSOURCERS, scope="order", path=ids(oo_id="outsourcing_draft"), writes=True
    ),
    "gendan_outsourcing_api_outsourcing_order_cancel": Ep(
        post=OUTSOURCERS, scope="order", path=ids(oo_id="outsourcing_draft"), data=reason(), writes=True
    ),
    "gendan_outsourcing_api_outsourcing_order_close": Ep(
        post=OUTSOURCERS, scope="order", path=ids(oo_id="outsourcing_order"), data=body(note="结案")
    ),
    "gendan_outsourcing_api_outsourcing_order_due_date": Ep(
        post=OUTSOURCERS,
        scope="order",
        path=ids(oo_id="outsourcing_order"),
        data=body(due_date="2026-12-15", reason="外协厂延期"),
        writes=True,
    ),
    "gendan_outsourcing_api_outsourcing_dispatch": Ep(
        post=OUTSOURCERS,
        scope="order",
        path=ids(oo_id="outsourcing_order"),
        data=body(quantity="5"),
        writes=True,
    ),
    "gendan_outsourcing_api_outsourcing_return": Ep(
        post=users("merchandiser", "supervisor", "planner", "reviewer", "admin"),
        scope="order",
        path=ids(oo_id="outsourcing_order"),
        data=body(quantity_returned="1"),
    ),
    "gendan_outsourcing_api_statement": Ep(
        get=but("sales"),
        note="a subcontractor's statement: salespeople see no suppliers (parties.selectors)",
        queries=({"subcontractor_id": "{subcontractor}", "year": "2026", "month": "12"},),
    ),
    "gendan_outsourcing_api_scorecard": Ep(
        get=WITH_ROLE, queries=({"date_from": "2026-11-01", "date_to": "2026-12-31"},)
    ),
    # quality
    "gendan_quality_api_aql_lookup": Ep(get=WITH_ROLE, queries=({"lot_size": "500", "aql": "2.5"},)),
    "gendan_quality_api_inspections_list": Ep(get=WITH_ROLE),
    "gendan_quality_api_inspection_detail": Ep(
        get=WITH_ROLE, scope="order", path=ids(inspection_id="inspection"), shows="order"
    ),
    "gendan_quality_api_inspection_create": Ep(
        post=QC,
        scope="order",
        path=ids(order_id="order"),
        data=body(stage="inline", lot_size=100, aql_major="2.5", aql_minor="4.0"),
        writes=True,
    ),
    "gendan_quality_api_inspection_concession": Ep(
        post=LEADS, scope="order", path=ids(inspection_id="inspection"), data=reason()
    ),
    "gendan_quality_api_inspection_cancel": Ep(
        post=users("qc", "supervisor", "admin"),
        scope="order",
        path=ids(inspection_id="inspection"),
        data=reason(),
        writes=True,
    ),
    "gendan_quality_api_shipment_gate": Ep(get=WITH_ROLE, scope="order", path=ids(order_id="order")),
    # quotes
    "gendan_quotes_api_inquiry_list_api": Ep(get=WITH_ROLE),
    "gendan_quotes_api_inquiry_create_api": Ep(post=SELLERS, scope="quote", data=inquiry_body, writes=True),
    "gendan_quotes_api_inquiry_lose_api": Ep(
        post=SELLERS, scope="quote", path=ids(inquiry_id="inquiry"), data=reason("价格"), writes=True
    ),
    "gendan_quotes_api_quotation_list_api": Ep(get=WITH_ROLE),
    "gendan_quotes_api_quotation_create_api": Ep(
        post=SELLERS, scope="quote", data=quotation_body, writes=True
    ),
    "gendan_quotes_api_quotation_detail_api": Ep(
        get=WITH_ROLE, scope="quote", path=ids(quotation_id="quotation")
    ),
    "gendan_quotes_api_quotation_revise_api": Ep(
        post=SELLERS, scope="quote", path=ids(quotation_id="quotation"), data=quotation_body, writes=True
    ),
    "gendan_quotes_api_quotation_send_api": Ep(
        post=SELLERS, scope="quote", path=ids(quotation_id="quotation"), writes=True
    ),
    "gendan_quotes_api_quotation_reject_api": Ep(
        post=SELLERS, scope="quote", path=ids(quotation_id="quotation"), data=reason()
    ),
    "gendan_quotes_api_quotation_accept_api": Ep(
        post=SELLERS,
        scope="quote",
        path=ids(quotation_id="quotation"),
        data=body(customer_po="SEC-QT-PO", requested_date="2027-02-01"),
    ),
    # shipping
    "gendan_shipping_api_sample_list_api": Ep(get=WITH_ROLE),
    "gendan_shipping_api_sample_create_api": Ep(
        post=users("merchandiser", "supervisor", "sales", "admin"),
        scope="order",
        data=sample_body,
        writes=True,
    ),
    "gendan_shipping_api_sample_feedback_api": Ep(
        post=users("merchandiser", "supervisor", "sales", "admin"),
        scope="order",
        path=ids(sample_id="sample"),
        data=body(feedback="approved", feedback_on=TODAY.isoformat()),
        writes=True,
    ),
    "gendan_shipping_api_shipment_list_api": Ep(get=WITH_ROLE, queries=({}, {"q": "{order}"})),
    "gendan_shipping_api_shipment_create_api": Ep(
        post=SHIPPERS, scope="order", data=shipment_body, writes=True
    ),
    "gendan_shipping_api_shipment_detail_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(shipment_id="shipment"), shows="order"
    ),
    "gendan_shipping_api_shipment_receive_api": Ep(
        post=SHIPPERS,
        scope="order",
        path=ids(shipment_id="shipment"),
        data=body(received_on=TODAY.isoformat()),
        writes=True,
    ),
    "gendan_shipping_api_shipment_cancel_api": Ep(
        post=users("supervisor", "admin"), scope="order", path=ids(shipment_id="shipment"), data=reason()
    ),
    # ledger
    "gendan_ledger_api_ledger_api": Ep(get=WITH_ROLE, queries=({}, {"customer": "{customer_id}"})),
    "gendan_ledger_api_reconcile_api": Ep(get=SEE_ALL),
    "gendan_ledger_api_invoice_list_api": Ep(get=WITH_ROLE, queries=({}, {"q": "{customer}"})),
    "gendan_ledger_api_invoice_create_api": Ep(
        post=INVOICERS,
        scope="order",
        data=lambda w, s: {
            "invoice_date": TODAY.isoformat(),
            "lines": [{"shipment_line": w.side(s).ids["uninvoiced_line"], "quantity": "1"}],
        },
        writes=True,
    ),
    "gendan_ledger_api_invoice_detail_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(invoice_id="invoice"), shows="customer"
    ),
    "gendan_ledger_api_invoice_cancel_api": Ep(
        post=INVOICERS, scope="order", path=ids(invoice_id="invoice"), data=reason()
    ),
    "gendan_ledger_api_payment_create_api": Ep(
        post=COLLECTORS, scope="order", data=payment_body, writes=True
    ),
    "gendan_ledger_api_ageing_api": Ep(get=WITH_ROLE, queries=({}, {"customer": "{customer_id}"})),
    "gendan_ledger_api_dunning_api": Ep(get=WITH_ROLE, queries=({}, {"as_of": "2027-06-30"})),
    # comment threads
    "gendan_discussion_api_comment_list_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(owner_type="=exception", owner_id="exception")
    ),
    "gendan_discussion_api_comment_create_api": Ep(
        post=WRITERS,
        scope="order",
        path=ids(owner_type="=complaint", owner_id="complaint"),
        data=d(body="安全测试留言"),
        writes=True,
    ),
    "gendan_discussion_api_comment_mentionable_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(owner_type="=order", owner_id="order")
    ),
    "gendan_discussion_api_comment_edit_api": Ep(
        post=users("m1", "m3"), scope="order", path=ids(comment_id="comment"), data=d(body="安全测试修改")
    ),
    "gendan_discussion_api_comment_withdraw_api": Ep(
        post=users("m1", "m3", "admin"), scope="order", path=ids(comment_id="comment"), data=d(), writes=True
    ),
    "gendan_discussion_api_order_comment_list_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(order_id="order")
    ),
    "gendan_discussion_api_order_comment_create_api": Ep(
        post=WRITERS, scope="order", path=ids(order_id="order"), data=d(body="安全测试留言"), writes=True
    ),
    # complaints
    "gendan_complaints_api_complaint_list_api": Ep(get=WITH_ROLE, queries=({}, {"q": "{customer}"})),
    "gendan_complaints_api_complaint_create_api": Ep(
        post=users("merchandiser", "sales", "supervisor", "admin"),
        scope="order",
        data=complaint_body,
        writes=True,
    ),
    "gendan_complaints_api_complaint_detail_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(complaint_id="complaint"), shows="customer"
    ),
    "gendan_complaints_api_complaint_action_api": Ep(
        post=LEADS,
        scope="order",
        path=ids(complaint_id="complaint", action="=investigate"),
        data=body(text="quality"),
        writes=True,
    ),
    "gendan_complaints_api_complaint_violation_api": Ep(
        post=LEADS,
        scope="order",
        path=ids(complaint_id="complaint"),
        data=body(note="隐瞒质量问题"),
        writes=True,
    ),
    # return visits
    "gendan_visits_api_visit_list_api": Ep(get=WITH_ROLE),
    "gendan_visits_api_satisfaction_api": Ep(get=WITH_ROLE),
    "gendan_visits_api_visit_detail_api": Ep(
        get=WITH_ROLE, scope="order", path=ids(visit_id="visit"), shows="customer"
    ),
    "gendan_visits_api_visit_record_api": Ep(
        post=users("merchandiser", "supervisor", "sales", "admin"),
        scope="order",
        path=ids(visit_id="visit"),
        data=visit_body,
        writes=True,
    ),
}


# --- the engine ---------------------------------------------------------------------------------------------

API_PREFIX = "/api/v1"


@pytest.fixture(scope="module")
def web(world, django_db_blocker) -> dict[str, Client]:
    """A logged-in browser session per user (created once, inside the module's world)."""
    clients = {}
    with django_db_blocker.unblock():
        for name in USERNAMES:
            client = Client(raise_request_exception=False)
            client.force_login(world.people[name])
            clients[name] = client
    return clients


@pytest.fixture(scope="module")
def rest(world) -> dict[str, Client]:
    """An API client per user, authenticated by the user's token (no session)."""
    clients = {}
    for name in USERNAMES:
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world.tokens[name]}")
        clients[name] = client
    return clients


@pytest.fixture(scope="module")
def operations() -> dict[str, tuple[str, str]]:
    """operation id → (method, path template) from the OpenAPI document the API serves."""
    schema = ninja_api.get_openapi_schema()
    found = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = (method, path)
    return found


def url_names() -> dict[str, str]:
    """Every named URL of the site (not the admin, the API or static files) → its pattern."""
    names: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("admin", "api"):
                    continue
                inner = pattern.namespace if not namespace else f"{namespace}:{pattern.namespace}"
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    inner if pattern.namespace else namespace,
                )
            elif isinstance(pattern, URLPattern):
                if pattern.name is None:
                    raise AssertionError(f"unnamed URL {prefix}{pattern.pattern}: name it and classify it")
                names[f"{namespace}:{pattern.name}" if namespace else pattern.name] = prefix + str(
                    pattern.pattern
                )

    walk(get_resolver().url_patterns, "", None)
    return {name: route for name, route in names.items() if not route.startswith(("static/", "media/"))}


@dataclass
class Findings:
    cells: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.problems.append(text)


def side_dependent(ep: Ep, world: World) -> bool:
    if ep.scope:
        return True
    if ep.path and ep.path(world, "own") != ep.path(world, "other"):
        return True
    return any(has_side_params(query) for query in ep.queries)


def path_scoped(ep: Ep) -> bool:
    return bool(ep.scope and ep.path)


def check(
    findings: Findings,
    world: World,
    label: str,
    user: str,
    side: str | None,
    outcome: M.Outcome,
    *,
    allowed: bool,
    method: str,
    ep: Ep,
    api: bool,
    sent: list[str],
) -> None:
    findings.cells += 1
    where = f"{label} {method.upper()} as {user}" + (f" on {side}" if side else "")
    status = outcome.status
    if status >= 500:
        findings.fail(f"{where}: {status} {outcome.error}")
        return
    for leak in M.leaks(outcome, M.forbidden_texts(world, user), sent):
        STATS["leaks"] += 1
        findings.fail(f"{where}: LEAK {leak} (status {status})")
    if method == "get":
        if allowed and not 200 <= status < 400:
            findings.fail(f"{where}: expected allowed, got {status}")
        elif not allowed and status not in (403, 404):
            findings.fail(f"{where}: expected 403/404, got {status}")
        if allowed and ep.shows and side and 200 <= status < 300:
            s = world.side(side)
            expected = {"order": s.order.number, "customer": s.customer.name}[ep.shows]
            if expected not in outcome.text:
                findings.fail(f"{where}: the page does not show {expected!r} (the check would be blind)")
        return
    # writes
    if allowed:
        if status in (401, 403, 404, 405):
            findings.fail(f"{where}: expected allowed, got {status}")
        elif ep.writes and not outcome.wrote:
            findings.fail(f"{where}: allowed and given a valid body, but nothing was written ({status})")
        elif ep.writes and api and not 200 <= status < 300:
            findings.fail(f"{where}: allowed and given a valid body, got {status}")
        return
    if outcome.wrote:
        findings.fail(f"{where}: denied but wrote {sorted(set(outcome.writes))} ({status})")
    scope_denied = side is not None and ep.scope and not M.sees(ep.scope, user, side)
    if scope_denied and path_scoped(ep):
        if status not in (403, 404):
            findings.fail(f"{where}: another's object: expected 403/404, got {status}")
    elif api and not scope_denied and status not in (403, 404):
        findings.fail(f"{where}: expected 403/404, got {status}")
    elif api and scope_denied and status not in (400, 403, 404, 422):
        findings.fail(f"{where}: a reference the user may not see: expected 400/403/404/422, got {status}")


def upload(name: str = "proof.png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes("green"), content_type="image/png")


def get_allowed(ep: Ep, user: str, side: str | None, query: dict) -> bool:
    if user not in ep.get:
        return False
    if side is None:
        return True
    if path_scoped(ep) and not M.sees(ep.scope, user, side):
        return False
    return not (ep.query_scope and has_side_params(query) and not M.sees(ep.query_scope, user, side))


def post_allowed(ep: Ep, user: str, side: str | None) -> bool:
    return user in ep.post and (not ep.scope or side is None or M.sees(ep.scope, user, side))


def path_sides(ep: Ep, world: World) -> tuple[str | None, ...]:
    if path_scoped(ep) or (ep.path and ep.path(world, "own") != ep.path(world, "other")):
        return SIDES
    return (None,)


def get_variants(ep: Ep, world: World):
    """(side, query template, filled query): every side when the path or the query names a side's object."""
    for query in ep.queries:
        sides = path_sides(ep, world)
        if sides == (None,) and has_side_params(query):
            sides = SIDES
        for side in sides:
            yield side, query, fill(world, side or "own", query) if query else {}


def post_sides(ep: Ep, world: World) -> tuple[str | None, ...]:
    return SIDES if ep.scope or path_sides(ep, world) != (None,) else (None,)


def site_requests(world: World, name: str, ep: Ep):
    """(method, side, user, url, kwargs, allowed) for one URL name."""
    if ep.get is not None:
        for side, query, params in get_variants(ep, world):
            url = reverse(name, kwargs=ep.path(world, side or "own") if ep.path else {})
            for user in USERNAMES:
                yield "get", side, user, url, {"data": params}, get_allowed(ep, user, side, query)
    if ep.post is not None:
        for side in post_sides(ep, world):
            url = reverse(name, kwargs=ep.path(world, side or "own") if ep.path else {})
            for user in USERNAMES:
                data = ep.data(world, side or "own") if ep.data else {}
                if ep.multipart and ep.upload_field:
                    data = {**data, ep.upload_field: upload()}
                elif ep.multipart:
                    data = {**data, "photo": upload(), "caption": "安全测试"}
                yield "post", side, user, url, {"data": data}, post_allowed(ep, user, side)


def run_site(world: World, web: dict[str, Client], name: str) -> Findings:
    ep = URLS[name]
    findings = Findings()
    for method, side, user, url, kwargs, allowed in site_requests(world, name, ep):
        outcome = M.perform(web[user], method, url, **kwargs)
        sent = M.sent_values(kwargs.get("data"))
        check(
            findings,
            world,
            name,
            user,
            side,
            outcome,
            allowed=allowed,
            method=method,
            ep=ep,
            api=False,
            sent=sent,
        )
    # the method the URL does not offer is refused (405), never a write or a 500
    for method, offered in (("get", ep.get), ("post", ep.post)):
        if offered is None:
            side = "own"
            kwargs = ep.path(world, side) if ep.path else {}
            outcome = M.perform(web["admin"], method, reverse(name, kwargs=kwargs))
            findings.cells += 1
            if outcome.status >= 500 or outcome.wrote:
                findings.fail(
                    f"{name} {method.upper()} (not offered): {outcome.status} wrote {outcome.writes}"
                )
            if outcome.status != 405 and method == "post":
                findings.fail(f"{name} POST (not offered): expected 405, got {outcome.status}")
    return findings


def api_requests(world: World, operations, op_id: str, ep: Ep):
    method, template = operations[op_id]

    def url_for(side: str | None) -> str:
        kwargs = ep.path(world, side or "own") if ep.path else {}
        return API_PREFIX + template.removeprefix(API_PREFIX).format(**kwargs)

    if method == "get":
        for side, query, params in get_variants(ep, world):
            for user in USERNAMES:
                yield "get", side, user, url_for(side), {"data": params}, get_allowed(ep, user, side, query)
        return
    for side in post_sides(ep, world):
        for user in USERNAMES:
            if ep.multipart and ep.upload_field:
                payload = ep.data(world, side or "own") if ep.data else {}
                kwargs = {"data": {**payload, ep.upload_field: upload()}}
            elif ep.multipart:
                kwargs = {"data": {"photos": [upload()]}}
            else:
                payload = ep.data(world, side or "own") if ep.data else {}
                kwargs = {
                    "data": json.dumps(payload),
                    "content_type": "application/json",
                }
            yield method, side, user, url_for(side), kwargs, post_allowed(ep, user, side)


def run_api(world: World, rest: dict[str, Client], operations, op_id: str) -> Findings:
    ep = API[op_id]
    findings = Findings()
    for method, side, user, url, kwargs, allowed in api_requests(world, operations, op_id, ep):
        outcome = M.perform(rest[user], method, url, **kwargs)
        check(
            findings,
            world,
            op_id,
            user,
            side,
            outcome,
            allowed=allowed,
            method="get" if method == "get" else "post",
            ep=ep,
            api=True,
            sent=M.sent_values(
                json.loads(data) if isinstance(data := kwargs.get("data"), str) and data else data
            ),
        )
    return findings


# --- the tests ----------------------------------------------------------------------------------------------


def test_every_endpoint_is_classified(operations):
    """A URL or API operation missing from the tables (or classified but gone) fails here."""
    names = set(url_names())
    classified = set(URLS) | set(EXCLUDED_URLS)
    assert sorted(names - classified) == [], "URLs missing from the matrix"
    assert sorted(classified - names) == [], "URLs in the matrix that no longer exist"
    assert sorted(set(operations) - set(API)) == [], "API operations missing from the matrix"
    assert sorted(set(API) - set(operations)) == [], "API operations in the matrix that no longer exist"
    for op_id, (method, _path) in operations.items():
        ep = API[op_id]
        assert (ep.get is not None) == (method == "get"), op_id
        assert (ep.post is not None) == (method != "get"), op_id


@pytest.mark.parametrize("name", sorted(URLS))
def test_site_matrix(world, web, name):
    findings = run_site(world, web, name)
    STATS["cells"] += findings.cells
    assert findings.cells > 0
    assert not findings.problems, "\n".join(findings.problems)


@pytest.mark.parametrize("op_id", sorted(API))
def test_api_matrix(world, rest, operations, op_id):
    findings = run_api(world, rest, operations, op_id)
    STATS["cells"] += findings.cells
    assert findings.cells > 0
    assert not findings.problems, "\n".join(findings.problems)
