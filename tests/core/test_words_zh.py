"""Issue 18, "wrong words": each meaning has its word, and no English value is left on a Chinese page."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gendan.accounts.models import Department
from gendan.complaints.services import complaint_register
from gendan.core.models import EventModel
from gendan.followup.models import RiskLevel, TaMilestone, TaTemplate, TaTemplateMilestone
from gendan.followup.templatetags.followup_tags import reason_texts
from gendan.orders.models import OrderEvent, OrderStatus
from gendan.performance.models import Handover, Violation
from gendan.reviews.models import Review
from tests.q2c import order_in_production

ASCII_WORD = re.compile(r"[A-Za-z]{3,}")


def zh(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_words_with_two_meanings_have_their_context():
    with translation.override("zh-hans"):
        assert str(Handover.Status.APPROVED.label) == "已批准"
        assert str(Review.Status.APPROVED.label) == "评审通过"
        assert str(OrderStatus.APPROVED.label) == "已评审"
        assert translation.pgettext("handover", "Request") == "提交申请"
        assert translation.pgettext("purchase request", "Request") == "请购单"
        assert translation.pgettext("import column", "Required") == "必填"
        assert translation.pgettext("quantity", "Required") == "需求量"
        # one English word, several Chinese ones: each status its own
        from gendan.complaints.models import ComplaintStatus
        from gendan.outsourcing.models import OutsourcingStatus
        from gendan.reviews.models import ReviewItem

        assert (str(Handover.Status.REJECTED.label), str(Handover.Status.RETURNED.label)) == (
            "已驳回",
            "已交还",
        )
        assert (str(Review.Status.OPEN.label), str(ReviewItem.Result.PENDING.label)) == ("评审中", "待签")
        assert str(ComplaintStatus.CLOSED.label) == "已结案" and str(OrderStatus.CLOSED.label) == "已结清"
        assert str(OutsourcingStatus.ISSUED.label) == "已下达"


def test_pages_use_the_word_of_their_meaning(people):
    handovers = visible_text(zh(people["m1"]).get(reverse("performance:handovers")))
    assert "提交申请" in handovers and "请购单" not in handovers
    imports = visible_text(zh(people["m1"]).get(reverse("order_import")))
    assert "必填" in imports and "需求量" not in imports


def test_every_event_type_and_status_value_reads_in_chinese():
    """One helper for all event kinds: each model's types and document statuses have Chinese labels."""
    models = [m for m in apps.get_models() if issubclass(m, EventModel)]
    assert len(models) >= 7
    with translation.override("zh-hans"):
        for model in models:
            for value, _label in (
                getattr(model, "Type", OrderEvent.Type).choices if hasattr(model, "Type") else ()
            ):
                event = model(type=value)
                assert not ASCII_WORD.search(event.type_label.replace("T&A", "")), (model, value)
            statuses = model.VALUE_CHOICES.get("")
            assert statuses is not None, model
            for value, _label in statuses.choices:
                event = model(type="transition", from_status=value, to_status=value)
                assert event.from_label and not ASCII_WORD.search(event.from_label), (model, value)


def test_order_timeline_values_through_their_labels(people, customer, product):
    order = order_in_production(people, customer, product)
    OrderEvent.objects.create(
        order=order, type=OrderEvent.Type.RISK_CHANGED, from_status="green", to_status="red"
    )
    OrderEvent.objects.create(
        order=order, type=OrderEvent.Type.QUALITY_CONCESSION, from_status="failed", to_status="conceded"
    )
    page = visible_text(zh(people["m1"]).get(reverse("orders:detail", args=[order.pk])))
    with translation.override("zh-hans"):
        red, green = str(RiskLevel.RED.label), str(RiskLevel.GREEN.label)
    assert f"{green} → {red}" in page
    for english in ("green", "failed", "conceded", "in_production", "released"):
        assert f" {english} " not in f" {page} ", english


def test_complaint_history_and_department_in_chinese(people, customer, product):
    from gendan.complaints.services import complaint_investigate

    order = order_in_production(people, customer, product)
    complaint = complaint_register(
        actor=people["m1"],
        data={"order": order.pk, "type": "quality", "severity": "major", "description": "色差"},
    )
    complaint_investigate(complaint=complaint, actor=people["sup"], department="quality")
    page = visible_text(zh(people["m1"]).get(reverse("complaints:detail", args=[complaint.pk])))
    assert "已登记 → 调查中" in page
    for english in ("registered", "investigating", "transition", "Quality"):
        assert english not in page, english
    with translation.override("zh-hans"):
        assert Department(code="quality", name="Quality").label == str(Department.Code.QUALITY.label)
        assert Department(code="quality", name="品管部").label == "品管部"  # a typed name stays


def test_violation_evidence_reads_through_labels_with_a_link(people):
    handover = Handover.objects.create(
        owner=people["m1"], starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 5)
    )
    Violation.objects.create(
        merchandiser=people["m1"],
        code="no_handover",
        occurred_on=dt.date(2026, 12, 1),
        evidence=[{"handover": handover.pk}],
    )
    response = zh(people["sup"]).get(reverse("performance:violations"))
    page = visible_text(response)
    assert "handover:" not in page and "工作交接：" in page
    assert reverse("performance:handover", args=[handover.pk]) in response.content.decode()


def test_risk_tooltips_are_sentences_not_codes():
    with translation.override("zh-hans"):
        text = reason_texts(
            [{"code": "exception_impact", "days": 3}, {"code": "past_due", "due": "2026-12-01"}]
        )
    assert "exception_impact" not in text and "3" in text and "2026-12-01" in text


def test_ta_names_in_one_language(db):
    names = [
        *TaTemplate.objects.values_list("name", flat=True),
        *TaTemplateMilestone.objects.values_list("name", flat=True),
    ]
    assert names and not [n for n in names if ASCII_WORD.search(n.replace("QC", ""))]


def test_the_migration_rewrites_bilingual_ta_names(db):
    from importlib import import_module

    migration = import_module("gendan.followup.migrations.0003_ta_names_one_language")
    template = TaTemplate.objects.get(code="apparel")
    milestone = template.milestones.get(code="cutting")
    TaTemplateMilestone.objects.filter(pk=milestone.pk).update(name="裁剪完成 Cutting done")
    TaTemplate.objects.filter(pk=template.pk).update(name="服装 Apparel")
    migration.forwards(apps, None)
    assert TaTemplateMilestone.objects.get(pk=milestone.pk).name == "裁剪完成"
    assert TaTemplate.objects.get(pk=template.pk).name == "服装"
    assert TaMilestone.objects.filter(name__contains="Cutting").count() == 0


def test_error_pages_in_the_site_layout_and_language(people):
    client = zh(people["m1"])
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "页面不存在" in html and 'class="mainnav"' in html and "URLconf" not in html
    forbidden = zh(people["finance"]).get(reverse("catalog:create"))
    assert forbidden.status_code == 403
    html = forbidden.content.decode()
    assert "无权访问" in html and 'class="mainnav"' in html and "Forbidden" not in html


def test_make_run_serves_with_debug_off_unless_asked():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "from django.test import Client; "
        "css = Client(HTTP_HOST='127.0.0.1').get('/static/gendan/css/app.css').status_code; "
        "print(settings.DEBUG, settings.WHITENOISE_USE_FINDERS, css)"
    )

    def run(**env) -> str:
        environment = {k: v for k, v in os.environ.items() if k != "DEBUG"}
        environment.update(DJANGO_SETTINGS_MODULE="config.django.local", **env)
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert run() == "False True 200"  # and the stylesheet is still served (whitenoise, no collectstatic)
    assert run(DEBUG="1") == "True True 200"
    makefile = (root / "Makefile").read_text()
    assert "DJANGO_SETTINGS_MODULE ?= config.django.local" in makefile
