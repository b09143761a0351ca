"""Customer and product imports: same preview + all-or-nothing behaviour, only for the roles that add them."""

from decimal import Decimal

from django.urls import reverse

from gendan.catalog.models import Product
from gendan.parties.models import Customer
from tests.factories import CustomerFactory, ProductFactory
from tests.files.conftest import client_for, upload, xlsx

CUSTOMER_HEADER = [
    "客户编码",
    "客户名称",
    "外贸",
    "币种",
    "信用额度",
    "付款方式",
    "账期天数",
    "跟单员",
    "地址",
]
PRODUCT_HEADER = ["款号", "产品名称", "行业", "产品系列", "单位", "生产周期", "物料周期", "标准单价"]


def _import(client, url_name: str, data: bytes):
    response = client.post(reverse(url_name), {"file": upload("master.xlsx", data)})
    if response.status_code == 200 and "token" in response.context:
        return response, client.post(reverse(url_name), {"token": response.context["token"]})
    return response, None


def test_customer_import_valid(people):
    rows = [
        CUSTOMER_HEADER,
        ["C100", "深圳华彩服饰有限公司", "否", "人民币", 500000, "月结", 60, "m1", "深圳市"],
        ["C101", "Acme Apparel Ltd", "是", "USD", "80000.50", "款到发货", None, None, ""],
    ]
    client = client_for(people["sales"])
    preview = client.post(reverse("customer_import"), {"file": upload("customers.xlsx", xlsx(rows))})
    assert preview.context["preview"].ok
    assert Customer.objects.count() == 0  # the preview saves nothing
    done = client.post(reverse("customer_import"), {"token": preview.context["token"]})
    assert done.status_code == 302
    first, second = Customer.objects.order_by("code")
    assert (first.code, first.payment_terms, first.payment_days, first.merchandiser) == (
        "C100",
        "monthly",
        60,
        people["m1"],
    )
    assert first.salesperson == people["sales"]  # a salesperson's customers are their own
    assert (second.is_foreign, second.currency, second.credit_limit, second.payment_terms) == (
        True,
        "USD",
        Decimal("80000.50"),
        "prepayment",
    )


def test_customer_import_with_one_bad_row_saves_nothing(people):
    CustomerFactory(code="C900")
    rows = [
        CUSTOMER_HEADER,
        ["C100", "甲公司", "否", "人民币", 1000, "月结", 30, "m1", ""],
        ["C101", "乙公司", "否", "人民币", -5, "月结", 30, "m1", ""],  # row 3: negative credit limit
        ["C900", "丙公司", "否", "人民币", 0, "月结", 30, "m1", ""],  # row 4: code exists
        ["C100", "丁公司", "否", "人民币", 0, "月结", 30, "m1", ""],  # row 5: twice in the file
    ]
    preview, done = _import(client_for(people["admin"]), "customer_import", xlsx(rows))
    assert done is None
    issues = [(issue.row, issue.column) for issue in preview.context["preview"].issues]
    assert issues == [(3, "信用额度"), (4, "客户编码"), (5, "客户编码")]
    assert "Row 3 · 信用额度:" in preview.content.decode()
    assert Customer.objects.count() == 1


def test_a_supervisor_must_import_customers_of_their_team(people):
    rows = [CUSTOMER_HEADER, ["C100", "甲公司", "否", "人民币", 0, "月结", 30, "m3", ""]]  # m3: another team
    preview, done = _import(client_for(people["sup"]), "customer_import", xlsx(rows))
    assert done is None
    assert [(i.row, i.column) for i in preview.context["preview"].issues] == [(2, "跟单员")]
    rows[1][7] = "m2"
    _preview, done = _import(client_for(people["sup"]), "customer_import", xlsx(rows))
    assert done.status_code == 302 and Customer.objects.get().merchandiser == people["m2"]


def test_only_supervisor_sales_admin_import_customers(people):
    for name in ("m1", "planner", "auditor", "gm"):
        assert client_for(people[name]).get(reverse("customer_import")).status_code == 403, name
    for name in ("sup", "sales", "admin"):
        assert client_for(people[name]).get(reverse("customer_import")).status_code == 200, name


def test_product_import_valid(people):
    rows = [
        PRODUCT_HEADER,
        ["P100", "圆领T恤", "服装", "针织", "件", 12, 5, "12.5"],
        ["P101", "宣传册", "印刷纸品", "画册", "本", None, None, None],
    ]
    preview, done = _import(client_for(people["m1"]), "product_import", xlsx(rows))
    assert preview.context["preview"].ok and done.status_code == 302
    tee, brochure = Product.objects.order_by("code")
    assert (tee.industry, tee.production_cycle_days, tee.material_lead_days, tee.standard_price) == (
        "apparel",
        12,
        5,
        Decimal("12.5"),
    )
    assert (brochure.industry, brochure.unit, brochure.production_cycle_days) == ("printing", "本", 10)


def test_product_import_with_one_bad_row_saves_nothing(people):
    ProductFactory(code="P900")
    rows = [
        PRODUCT_HEADER,
        ["P100", "圆领T恤", "服装", "针织", "件", 12, 5, "12.5"],
        ["P101", "Polo", "服装", "针织", "件", 0, 5, "20"],  # row 3: production cycle < 1
        ["P102", "", "服装", "针织", "件", 10, 5, "20"],  # row 4: no name
    ]
    preview, done = _import(client_for(people["sup"]), "product_import", xlsx(rows))
    assert done is None
    assert [(i.row, i.column) for i in preview.context["preview"].issues] == [
        (3, "生产周期"),
        (4, "产品名称"),
    ]
    assert Product.objects.count() == 1


def test_only_admin_supervisor_merchandiser_import_products(people):
    for name in ("sales", "planner", "auditor"):
        assert client_for(people[name]).get(reverse("product_import")).status_code == 403, name
    for name in ("admin", "sup", "m1"):
        assert client_for(people[name]).get(reverse("product_import")).status_code == 200, name


def test_templates_download(people):
    for name in ("customer_import_template", "product_import_template"):
        response = client_for(people["admin"]).get(reverse(name))
        assert response.status_code == 200 and response.content.startswith(b"PK")
