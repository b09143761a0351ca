"""Customer import from Excel: preview every row's errors, then all or nothing.

Each row goes through `customer_create` — the rules of the form and the API — inside a transaction that
the preview always rolls back and the commit keeps only when no row failed.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.accounts import roles as R
from gendan.accounts.models import User
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
from gendan.parties.exports import CURRENCY_ZH, PAYMENT_TERMS_ZH, zh_reverse
from gendan.parties.models import Customer
from gendan.parties.selectors import customer_visible_list
from gendan.parties.services import customer_create

logger = logging.getLogger("gendan.parties.imports")

CUSTOMER_IMPORT_ROLES = (R.SUPERVISOR, R.SALES, R.ADMIN)

CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column("code", ("客户编码", "客户代码", "code", "customer code"), True, "唯一，不含空格"),
    Column("name", ("客户名称", "名称", "name", "customer name"), True, ""),
    Column("is_foreign", ("外贸", "外贸客户", "foreign trade", "foreign"), False, "是 / 否"),
    Column("currency", ("币种", "货币", "currency"), False, "人民币 / 美元 … 或 CNY、USD，空白为人民币"),
    Column("credit_limit", ("信用额度", "credit limit"), False, "金额，空白为 0"),
    Column(
        "payment_terms",
        ("付款方式", "付款条件", "payment terms"),
        False,
        "月结 / 票到付款 / 款到发货 / 订金 / 货到付款",
    ),
    Column("payment_days", ("账期天数", "账期", "payment days"), False, "0–365，空白为 30"),
    Column(
        "deposit_percent", ("订金比例%", "订金比例", "deposit %", "deposit"), False, "付款方式为订金时必填"
    ),
    Column("merchandiser", ("跟单员", "merchandiser"), False, "用户名"),
    Column("salesperson", ("业务员", "salesperson", "sales"), False, "用户名；业务员导入时空白为本人"),
    Column("address", ("地址", "address"), False, ""),
    Column("notes", ("备注", "notes", "remarks"), False, ""),
)
TEMPLATE_EXAMPLE = (
    "C100",
    "深圳示例服饰有限公司",
    "否",
    "人民币",
    500000,
    "月结",
    30,
    "",
    "",
    "",
    "深圳市宝安区",
    "",
)

_SYNONYMS: dict[str, dict[str, str]] = {
    "currency": zh_reverse(CURRENCY_ZH, {"RMB": "CNY", "港元": "HKD"}),
    "payment_terms": zh_reverse(
        PAYMENT_TERMS_ZH,
        {"票到": "net", "预付": "prepayment", "预付款": "prepayment", "定金": "deposit", "现金": "cash"},
    ),
}


def may_import_customers(user: User) -> bool:
    return user.is_active and not user.is_read_only and user.has_role(*CUSTOMER_IMPORT_ROLES)


def _value(key: str, value: Any) -> Any:
    if isinstance(value, str) and key in _SYNONYMS:
        return _SYNONYMS[key].get(value.strip(), value)
    return value


def _run(*, data: bytes, actor: User, commit: bool) -> tuple[ImportPreview, list[Customer]]:
    sheet = read_sheet(data, CUSTOMER_COLUMNS)
    preview, by_number = preview_skeleton(sheet)
    created: list[tuple[int, Customer]] = []
    seen: dict[str, int] = {}
    with transaction.atomic():
        for row in sheet.rows:
            issues = by_number[row.number].issues
            code = str(row.get("code") or "").strip().casefold()
            if code and code in seen:
                issues.append(
                    RowIssue(
                        row.number,
                        column_title(sheet, CUSTOMER_COLUMNS, "code"),
                        _("This code is also on row %(row)d of the file.") % {"row": seen[code]},
                    )
                )
                continue
            if code:
                seen[code] = row.number
            raw = {key: _value(key, row.get(key)) for key in sheet.columns}
            try:
                with transaction.atomic():
                    customer = customer_create(actor=actor, data=raw)
            except ValidationFailed as exc:
                for key, messages in exc.fields.items():
                    title = "" if key in ("__all__", "") else column_title(sheet, CUSTOMER_COLUMNS, key)
                    issues.extend(RowIssue(row.number, title, message) for message in messages)
                continue
            created.append((row.number, customer))
            by_number[row.number].note = _("new customer")
        # The creator must be able to see what they create (a supervisor: their team's customers).
        visible = set(
            customer_visible_list(user=actor)
            .filter(pk__in=[c.pk for _n, c in created])
            .values_list("pk", flat=True)
        )
        for number, customer in created:
            if customer.pk not in visible:
                by_number[number].issues.append(
                    RowIssue(
                        number,
                        column_title(sheet, CUSTOMER_COLUMNS, "merchandiser"),
                        _(
                            "You would not see this customer: give a merchandiser or salesperson of your team."
                        ),
                    )
                )
        if not commit or not preview.ok:
            transaction.set_rollback(True)
    preview.summary = [(_("Rows"), str(len(sheet.rows))), (_("New customers"), str(len(created)))]
    return preview, [customer for _n, customer in created]


def customer_import_preview(*, data: bytes, actor: User) -> ImportPreview:
    """Check every row; saves nothing."""
    return _run(data=data, actor=actor, commit=False)[0]


def customer_import_commit(*, data: bytes, actor: User, file_name: str = "") -> list[Customer]:
    """Create every customer of the file, or none (ImportRejected with the preview)."""
    preview, created = _run(data=data, actor=actor, commit=True)
    if not preview.ok:
        raise ImportRejected(preview)
    logger.info("customer import by %s: %d customers from %r", actor.username, len(created), file_name)
    return created
