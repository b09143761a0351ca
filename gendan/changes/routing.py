"""What a change touches, and which review departments must sign it again — the table in one place.

A change request's diff (gendan.orders.revisions.snapshot_diff) is read into kinds (`change_kinds`); each
kind asks the departments of ROUTES (the review's department codes). Finance is also asked when the new
amount takes the customer over its credit room (the review's credit check); the general manager
concludes when the amount moves by more than the policy amount (settings.GENDAN_CHANGE_GM_AMOUNT).
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gendan.reviews.models import ReviewDepartment as D

QUANTITY, SIZES, DATE, SPEC, COLOUR, REQUIREMENTS, PRICE, TERMS, PO, CREDIT = (
    "quantity",
    "sizes",
    "date",
    "spec",
    "colour",
    "requirements",
    "price",
    "terms",
    "customer_po",
    "credit",
)

# kind → departments that re-sign. Planning signs for production capacity (the review's planning item).
ROUTES: dict[str, tuple[str, ...]] = {
    QUANTITY: (D.PLANNING, D.PURCHASING),
    SIZES: (D.PLANNING, D.PURCHASING),
    DATE: (D.PLANNING, D.PURCHASING),
    SPEC: (D.TECHNICAL, D.QUALITY),
    COLOUR: (D.TECHNICAL, D.QUALITY),
    REQUIREMENTS: (D.TECHNICAL, D.QUALITY),
    PRICE: (D.BUSINESS, D.FINANCE),
    TERMS: (D.BUSINESS, D.FINANCE),
    PO: (D.BUSINESS,),
    CREDIT: (D.FINANCE,),
}

KIND_LABELS = {
    QUANTITY: _("Quantity"),
    SIZES: _("Size breakdown"),
    DATE: _("Delivery date"),
    SPEC: _("Specification"),
    COLOUR: _("Colour"),
    REQUIREMENTS: _("Requirements"),
    PRICE: _("Price"),
    TERMS: _("Payment terms"),
    PO: _("Customer PO number"),
    CREDIT: _("Over the credit room"),
}

_HEADER_KINDS = {
    "requested_date": DATE,
    "promised_date": DATE,
    "payment_terms": TERMS,
    "customer_po": PO,
    "requirements": REQUIREMENTS,
}
_LINE_KINDS = {
    "quantity": QUANTITY,
    "tolerance_percent": QUANTITY,
    "sizes": SIZES,
    "unit_price": PRICE,
    "spec": SPEC,
    "color": COLOUR,
}
# A new line brings a quantity, a colour and a specification of its own (its price is the business's when
# it differs from the product's standard price); a removed one only takes a quantity away.
_ADDED_KINDS = (QUANTITY, COLOUR, SPEC)
_REMOVED_KINDS = (QUANTITY,)


def change_kinds(changes: list[dict[str, Any]], *, over_credit: bool = False) -> list[str]:
    """The kinds a diff touches, in the order of ROUTES."""
    kinds: set[str] = set()
    for change in changes:
        kind = change["type"]
        if kind == "header":
            if change["field"] in _HEADER_KINDS:
                kinds.add(_HEADER_KINDS[change["field"]])
        elif kind == "line":
            kinds.add(_LINE_KINDS[change["field"]])
        elif kind == "line_added":
            kinds.update(_ADDED_KINDS)
            if change.get("price_differs"):
                kinds.add(PRICE)
        elif kind == "line_removed":
            kinds.update(_REMOVED_KINDS)
    if over_credit:
        kinds.add(CREDIT)
    return [kind for kind in ROUTES if kind in kinds]


def departments_for(kinds: list[str]) -> list[str]:
    """The departments asked to re-sign, in the review form's order."""
    wanted = {dept for kind in kinds for dept in ROUTES[kind]}
    return [dept for dept in D.values if dept in wanted]


def gm_threshold() -> Decimal:
    """Above this change of the order amount (either way) the general manager concludes, not the supervisor."""
    return Decimal(str(getattr(settings, "GENDAN_CHANGE_GM_AMOUNT", "100000")))


def needs_general_manager(*, old_amount: Decimal, new_amount: Decimal) -> bool:
    return abs(new_amount - old_amount) > gm_threshold()
