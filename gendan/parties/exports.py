"""Customer export to Excel (scoped) and the Chinese labels that files and printed forms use.

Exports and printed forms are Chinese whatever the UI language (the factories' files are), so the labels
here are fixed text, not translations.
"""

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from gendan.accounts.models import User
from gendan.core.audit import audit_record
from gendan.core.excel import XColumn, XSheet, xlsx_response
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


def _customer_rows(customers: Any) -> Iterator[list[Any]]:
    for c in customers:
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


def customer_export(
    *, user: User, q: str = "", active: bool | None = None, request: HttpRequest | None = None
) -> HttpResponse:
    """The customers `user` may see (customer_list → customer_visible_list), as .xlsx; the export is logged
    and audited."""
    q = (q or "").strip()[:100]
    customers = list(customer_list(user=user, q=q, active=active))
    logger.info(
        "customer export by %s (id %s): %d customers, filters q=%r active=%r",
        user.username,
        user.pk,
        len(customers),
        q,
        active,
    )
    audit_record(
        actor=user,
        action="export",
        what="customers",
        data={"rows": len(customers), "filters": {"q": q, "active": active}},
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(
        filename=f"customers-{stamp}.xlsx",
        sheets=[XSheet("客户", CUSTOMER_EXPORT_COLUMNS, _customer_rows(customers))],
    )
