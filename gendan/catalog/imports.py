"""Product / style import from Excel: preview every row's errors, then all or nothing.

Each row goes through `product_create` — the rules of the form and the API — inside a transaction that the
preview always rolls back and the commit keeps only when no row failed.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.catalog.models import Industry, Product
from gendan.catalog.services import product_create
from gendan.core.errors import ValidationFailed
from gendan.core.excel import (
    Column,
    ImportPreview,
    ImportRejected,
    RowIssue,
    column_title,
    preview_skeleton,
    read_sheet,
)

logger = logging.getLogger("gendan.catalog.imports")

PRODUCT_IMPORT_ROLES = (R.ADMIN, R.SUPERVISOR, R.MERCHANDISER)

# Chinese labels of the industries, for files and printed forms (fixed text, whatever the UI language).
INDUSTRY_ZH = {Industry.APPAREL: "服装", Industry.PRINTING: "印刷纸品", Industry.GENERIC: "通用"}
_INDUSTRY_SYNONYMS = {
    **{label: str(value) for value, label in INDUSTRY_ZH.items()},
    "服饰": "apparel",
    "印刷": "printing",
    "纸品": "printing",
}

PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column("code", ("产品编码", "款号", "产品代码", "code", "product code", "style"), True, "唯一，不含空格"),
    Column("name", ("产品名称", "品名", "name", "product name"), True, ""),
    Column("industry", ("行业", "industry"), False, "服装 / 印刷纸品 / 通用，空白为通用"),
    Column("family", ("产品系列", "产品大类", "family", "product family"), False, "计划员按系列归类汇总"),
    Column("work_centre", ("工作中心", "车间", "work centre", "work center"), False, ""),
    Column("spec", ("规格", "spec", "specification"), False, ""),
    Column("unit", ("单位", "unit"), False, "空白为 pcs"),
    Column(
        "production_cycle_days",
        ("生产周期", "生产周期(工作日)", "生产周期天数", "production cycle", "production cycle days"),
        False,
        "1–365 个工作日，空白为 10",
    ),
    Column(
        "material_lead_days",
        ("物料周期", "物料周期(工作日)", "物料提前期", "material lead time", "material lead days"),
        False,
        "0–365 个工作日，空白为 0",
    ),
    Column("standard_price", ("标准单价", "标准价", "standard price", "price"), False, "不小于 0"),
)
TEMPLATE_EXAMPLE = ("P100", "圆领T恤", "服装", "针织", "缝制一车间", "180g 纯棉", "件", 10, 5, "12.50")


def may_import_products(user: User) -> bool:
    return user.is_active and not user.is_read_only and user.has_role(*PRODUCT_IMPORT_ROLES)


def _value(key: str, value: Any) -> Any:
    if key == "industry" and isinstance(value, str):
        return _INDUSTRY_SYNONYMS.get(value.strip(), value)
    return value


def _run(*, data: bytes, actor: User, commit: bool) -> tuple[ImportPreview, list[Product]]:
    sheet = read_sheet(data, PRODUCT_COLUMNS)
    preview, by_number = preview_skeleton(sheet)
    created: list[Product] = []
    seen: dict[str, int] = {}
    with transaction.atomic():
        for row in sheet.rows:
            issues = by_number[row.number].issues
            code = str(row.get("code") or "").strip().casefold()
            if code and code in seen:
                issues.append(
                    RowIssue(
                        row.number,
                        column_title(sheet, PRODUCT_COLUMNS, "code"),
                        _("This code is also on row %(row)d of the file.") % {"row": seen[code]},
                    )
                )
                continue
            if code:
                seen[code] = row.number
            raw = {key: _value(key, row.get(key)) for key in sheet.columns}
            try:
                with transaction.atomic():
                    created.append(product_create(actor=actor, data=raw))
            except ValidationFailed as exc:
                for key, messages in exc.fields.items():
                    title = "" if key in ("__all__", "") else column_title(sheet, PRODUCT_COLUMNS, key)
                    issues.extend(RowIssue(row.number, title, message) for message in messages)
                continue
            by_number[row.number].note = _("new product")
        if not commit or not preview.ok:
            transaction.set_rollback(True)
    preview.summary = [(_("Rows"), str(len(sheet.rows))), (_("New products"), str(len(created)))]
    return preview, created


def product_import_preview(*, data: bytes, actor: User) -> ImportPreview:
    """Check every row; saves nothing."""
    return _run(data=data, actor=actor, commit=False)[0]


def product_import_commit(*, data: bytes, actor: User, file_name: str = "") -> list[Product]:
    """Create every product of the file, or none (ImportRejected with the preview)."""
    preview, created = _run(data=data, actor=actor, commit=True)
    if not preview.ok:
        raise ImportRejected(preview)
    logger.info("product import by %s: %d products from %r", actor.username, len(created), file_name)
    return created
