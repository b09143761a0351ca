"""Customer export to Excel (scoped) and the Chinese labels that files and printed forms use.

Exports and printed forms are Chinese whatever the UI language (the factories' files are), so the labels
here are fixed text, not translations.
"""

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gendan.accounts.models import User
from gendan.core.audit import audit_record
from gendan.core.excel import XColumn, XSheet, xlsx_response
from gendan.exports.registry import ExportBuild, ExportKind, no_progress
from gendan.parties.models import Currency, Customer, PaymentTermsType
from gendan.parties.selectors import customer_list

logger = logging.getLogger("gendan.parties.exports")

CURRENCY_ZH = {
    Currency.CNY: "人民币",
    Currency.USD: "美元",
    Currency.EUR: "欧元",
    Currency.HKD: "港币",
    Currency.GBP: "英镑",
    Currency.JPY: "日元",
}
PAYMENT_TERMS_ZH = {
    PaymentTermsType.MONTHLY: "月结",
    PaymentTermsType.NET: "票到付款",
    PaymentTermsType.PREPAYMENT: "款到发货",
    PaymentTermsType.DEPOSIT: "订金",
    PaymentTermsType.CASH: "货到付款",
}


def zh_reverse(labels: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Chinese label → stored value (for reading files), plus extra synonyms."""
    return {**{label: str(value) for value, label in labels.items()}, **(extra or {})}


def payment_terms_zh(customer: Customer) -> str:
    """The customer's terms in Chinese, worded as on the pages (`payment_terms_text`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return customer.payment_terms_text


# The same titles as the customer import, so an export can be edited and imported elsewhere.
CUSTOMER_EXPORT_COLUMNS = (
    XColumn("客户编码", 12),
    XColumn("客户名称", 30),
    XColumn("外贸", 6),
    XColumn("币种", 8),
    XColumn("信用额度", 14, "#,##0.00"),
    XColumn("付款方式", 10),
    XColumn("账期天数", 8),
    XColumn("订金比例%", 8, "0.00"),
    XColumn("跟单员", 12),
    XColumn("业务员", 12),
    XColumn("地址", 30),
    XColumn("备注", 30),
    XColumn("状态", 8),
)


def _customer_rows(
    customers: Any, summary: dict[str, Any], *, max_rows: int, progress: Callable[[int], None]
) -> Iterator[list[Any]]:
    """Streamed: the customers with their people in one query, read 500 at a time."""
    ids = list(customers.values_list("pk", flat=True)[: max_rows + 1])
    for start in range(0, len(ids), 500):  # no cursor open while a job writes its progress
        chunk = ids[start : start + 500]
        by_id = Customer.objects.select_related("merchandiser", "salesperson").in_bulk(chunk)
        yield from _customer_chunk([by_id[pk] for pk in chunk if pk in by_id], summary, max_rows=max_rows)
        if summary["truncated"]:
            return
        progress(summary["rows"])


def _customer_chunk(
    customers: list[Customer], summary: dict[str, Any], *, max_rows: int
) -> Iterator[list[Any]]:
    for c in customers:
        if summary["rows"] >= max_rows:
            summary["truncated"] = True
            yield [f"…… 超过 {max_rows} 行，其余未导出：请缩小筛选范围"]
            return
        summary["rows"] += 1
        yield [
            c.code,
            c.name,
            "是" if c.is_foreign else "否",
            CURRENCY_ZH.get(c.currency, c.currency),
            c.credit_limit,
            PAYMENT_TERMS_ZH.get(c.payment_terms, c.payment_terms),
            c.payment_days,
            c.deposit_percent,
            c.merchandiser.username if c.merchandiser_id else "",
            c.salesperson.username if c.salesperson_id else "",
            c.address,
            c.notes,
            "启用" if c.is_active else "停用",
        ]


def customer_export_params(query: QueryDict) -> dict[str, Any]:
    active = {"1": True, "true": True, "0": False, "false": False}.get((query.get("active") or "").lower())
    return {"q": (query.get("q") or "").strip()[:100], "active": active}


def customer_export_count(*, user: User, params: Mapping[str, Any]) -> int:
    return customer_list(user=user, q=params.get("q") or "", active=params.get("active")).order_by().count()


def customer_export_build(
    *,
    user: User,
    params: Mapping[str, Any],
    progress: Callable[[int], None] = no_progress,
    max_rows: int = 100_000,
) -> ExportBuild:
    """The customers `user` may see (customer_list → customer_visible_list), as a streamed sheet."""
    q = (params.get("q") or "").strip()[:100]
    active = params.get("active")
    summary: dict[str, Any] = {"rows": 0, "truncated": False, "filters": {"q": q, "active": active}}
    rows = _customer_rows(
        customer_list(user=user, q=q, active=active), summary, max_rows=max_rows, progress=progress
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportBuild(
        filename=f"customers-{stamp}.xlsx",
        sheets=[XSheet("客户", CUSTOMER_EXPORT_COLUMNS, rows)],
        summary=summary,
    )


def customer_export_log(*, user: User, summary: Mapping[str, Any]) -> None:
    logger.info("customer export by %s (id %s): %s", user.username, user.pk, summary)


def customer_export(
    *, user: User, q: str = "", active: bool | None = None, request: HttpRequest | None = None
) -> HttpResponse:
    """A direct export of the customers `user` may see, logged and audited. Views go through
    gendan.exports.web.export_respond (large ones become background jobs)."""
    build = customer_export_build(user=user, params={"q": q, "active": active})
    response = xlsx_response(filename=build.filename, sheets=build.sheets)
    customer_export_log(user=user, summary=build.summary)
    audit_record(actor=user, action="export", what="customers", data=build.summary, request=request)
    return response


CUSTOMER_EXPORT_KIND = ExportKind(
    code="customers",
    label=_("Customers"),
    audit_what="customers",
    params=customer_export_params,
    count=customer_export_count,
    build=customer_export_build,
    log=customer_export_log,
)
