"""T&A template and milestone names in one language: the seeded names were stored bilingual ("裁剪完成 Cutting
done"); rows still carrying exactly a seeded bilingual name get its Chinese part (names an admin typed stay)."""

from django.db import migrations

BILINGUAL = {
    "中查 Inline QC": "中查",
    "产前样确认 Pre-production sample approved": "产前样确认",
    "出货 Ex-factory": "出货",
    "包装完成 Packing done": "包装完成",
    "印刷与纸品 Printing and paper": "印刷与纸品",
    "印刷完成 Printing done": "印刷完成",
    "印后加工完成 Post-press / finishing done": "印后加工完成",
    "后整完成 Finishing done": "后整完成",
    "尾查 Final QC": "尾查",
    "成品检验 QC": "成品检验",
    "打样确认 Proof approved": "打样确认",
    "服装 Apparel": "服装",
    "样品确认 Sample approved": "样品确认",
    "物料到厂 Materials in-house": "物料到厂",
    "生产完成 Production done": "生产完成",
    "稿件确认 Artwork approved": "稿件确认",
    "纸张到厂 Paper in-house": "纸张到厂",
    "裁剪完成 Cutting done": "裁剪完成",
    "车缝完成 Sewing done": "车缝完成",
    "通用 Generic": "通用",
    "面辅料到厂 Fabric & trims in-house": "面辅料到厂",
}


def forwards(apps, schema_editor):
    for model in ("TaTemplate", "TaTemplateMilestone", "TaMilestone"):
        Model = apps.get_model("followup", model)
        for old, new in BILINGUAL.items():
            Model.objects.filter(name=old).update(name=new)


class Migration(migrations.Migration):
    dependencies = [("followup", "0002_scan_cursor_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
