"""Reference data for follow-up: default T&A templates and the first policy row. Idempotent.

Called after `migrate` (also after a test database flush) when the tables are empty, and by the demo data.
Admin edits are kept: an existing template or milestone (by code) is never overwritten.
"""

import datetime as dt

from django.db import transaction

from gendan.accounts import roles as R
from gendan.catalog.models import Industry
from gendan.followup.models import FollowupPolicy, TaTemplate, TaTemplateMilestone

# Names are in the site's language (zh-Hans), as an admin would type them; they were once stored bilingual
# ("裁剪完成 Cutting done"), which migration 0003 rewrote.
# code, name, owner role, lead time (working days), counted back from (code; None: the promised date), mandatory
APPAREL = [
    ("ex_factory", "出货", R.MERCHANDISER, 0, None, True),
    ("packing", "包装完成", R.MERCHANDISER, 1, "ex_factory", True),
    ("final_qc", "尾查", R.REVIEWER, 1, "packing", True),
    ("finishing", "后整完成", R.PLANNER, 1, "final_qc", True),
    ("sewing", "车缝完成", R.PLANNER, 2, "finishing", True),
    ("inline_qc", "中查", R.REVIEWER, 3, "sewing", True),
    ("cutting", "裁剪完成", R.PLANNER, 5, "sewing", True),
    ("pp_sample", "产前样确认", R.SALES, 2, "cutting", True),
    ("fabric_trims", "面辅料到厂", R.MERCHANDISER, 2, "cutting", True),
]
PRINTING = [
    ("ex_factory", "出货", R.MERCHANDISER, 0, None, True),
    ("packing", "包装完成", R.MERCHANDISER, 1, "ex_factory", True),
    ("qc", "成品检验", R.REVIEWER, 1, "packing", True),
    ("post_press", "印后加工完成", R.PLANNER, 2, "qc", True),
    ("printing", "印刷完成", R.PLANNER, 3, "post_press", True),
    ("paper_in", "纸张到厂", R.MERCHANDISER, 2, "printing", True),
    ("proof", "打样确认", R.SALES, 2, "printing", True),
    ("artwork", "稿件确认", R.SALES, 2, "proof", True),
]
GENERIC = [
    ("ex_factory", "出货", R.MERCHANDISER, 0, None, True),
    ("packing", "包装完成", R.MERCHANDISER, 1, "ex_factory", True),
    ("qc", "成品检验", R.REVIEWER, 1, "packing", True),
    ("production", "生产完成", R.PLANNER, 1, "qc", True),
    ("materials", "物料到厂", R.MERCHANDISER, 5, "production", True),
    ("sample", "样品确认", R.SALES, 2, "materials", False),
]
TEMPLATES = [
    ("apparel", "服装", Industry.APPAREL, APPAREL),
    ("printing", "印刷与纸品", Industry.PRINTING, PRINTING),
    ("generic", "通用", Industry.GENERIC, GENERIC),
]


@transaction.atomic
def ta_templates_seed() -> int:
    """Create the default templates and their milestones where missing; returns milestones created."""
    created = 0
    for code, name, industry, rows in TEMPLATES:
        template, _new = TaTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "industry": industry, "business_type": ""}
        )
        by_code = {m.code: m for m in template.milestones.all()}
        # rows run backwards from the promised date (a milestone after the one it counts back from);
        # `sequence` runs forwards, as the milestones happen
        for index, (ms_code, ms_name, role, lead, offset, mandatory) in enumerate(rows):
            if ms_code in by_code:
                continue
            by_code[ms_code] = TaTemplateMilestone.objects.create(
                template=template,
                code=ms_code,
                name=ms_name,
                owner_role=role,
                lead_days=lead,
                offset_from=by_code.get(offset) if offset else None,
                mandatory=mandatory,
                sequence=(len(rows) - index) * 10,
            )
            created += 1
    return created


def followup_policy_seed() -> FollowupPolicy:
    policy = FollowupPolicy.objects.order_by("effective_from").first()
    if policy is None:
        policy = FollowupPolicy.objects.create(effective_from=dt.date(2020, 1, 1), note="default")
    return policy


def followup_reference_seed(**kwargs) -> None:
    """post_migrate: only into empty tables, so what an admin deleted stays deleted."""
    if not TaTemplate.objects.exists():
        ta_templates_seed()
    followup_policy_seed()
