"""The roles of SPEC §1. Each role is a Django group of the same code name."""

from django.utils.translation import gettext_lazy as _

MERCHANDISER = "merchandiser"
SUPERVISOR = "supervisor"
GENERAL_MANAGER = "general_manager"
SALES = "sales"
PLANNER = "planner"
REVIEWER = "reviewer"
AUDITOR = "auditor"
ADMIN = "admin"

ROLE_LABELS = {
    MERCHANDISER: _("Merchandiser"),
    SUPERVISOR: _("Supervisor"),
    GENERAL_MANAGER: _("General manager"),
    SALES: _("Salesperson"),
    PLANNER: _("Planner"),
    REVIEWER: _("Reviewer"),
    AUDITOR: _("Auditor"),
    ADMIN: _("Administrator"),
}
ALL_ROLES = tuple(ROLE_LABELS)
SEE_ALL_ROLES = frozenset({GENERAL_MANAGER, AUDITOR, ADMIN})
READ_ONLY_ROLES = frozenset({AUDITOR})

# Model permissions granted to each group (app_label.codename); row scope is applied on top.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    MERCHANDISER: [
        "orders.add_order",
        "orders.change_order",
        "orders.view_order",
        "parties.view_customer",
        "catalog.view_product",
        "catalog.add_product",
    ],
    SUPERVISOR: [
        "orders.add_order",
        "orders.change_order",
        "orders.view_order",
        "parties.view_customer",
        "parties.add_customer",
        "parties.change_customer",
        "catalog.view_product",
        "catalog.add_product",
        "catalog.change_product",
        "reviews.change_review",
    ],
    GENERAL_MANAGER: [
        "orders.view_order",
        "parties.view_customer",
        "catalog.view_product",
        "reviews.change_review",
    ],
    SALES: [
        "orders.add_order",
        "orders.view_order",
        "parties.view_customer",
        "parties.add_customer",
        "catalog.view_product",
    ],
    PLANNER: ["orders.view_order", "catalog.view_product", "parties.view_customer"],
    REVIEWER: ["orders.view_order", "reviews.view_review", "parties.view_customer", "catalog.view_product"],
    AUDITOR: [
        "orders.view_order",
        "parties.view_customer",
        "catalog.view_product",
        "reviews.view_review",
        "parties.view_supplier",
    ],
    ADMIN: [
        "orders.add_order",
        "orders.change_order",
        "orders.view_order",
        "parties.view_customer",
        "parties.add_customer",
        "parties.change_customer",
        "parties.view_supplier",
        "parties.add_supplier",
        "parties.change_supplier",
        "catalog.view_product",
        "catalog.add_product",
        "catalog.change_product",
        "reviews.change_review",
        "reviews.view_review",
    ],
}
