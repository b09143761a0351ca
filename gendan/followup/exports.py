"""Excel exports of follow-up reports (through core.excel, which keeps text from running as formulas)."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from gendan.core.excel import XColumn, XSheet, xlsx_response


def daily_log_response(data: dict) -> HttpResponse:
    user, day = data["subject"], data["date"]
    sheets = [
        XSheet(
            _("Progress records"),
            [
                XColumn(_("Time"), 17),
                XColumn(_("Order"), 16),
                XColumn(_("Customer"), 24),
                XColumn(_("Stage"), 16),
                XColumn(_("Quantity done"), 14, "#,##0.###"),
                XColumn(_("State"), 14),
                XColumn(_("Note"), 40),
                XColumn(_("Recorded by"), 12),
            ],
            [
                (
                    r.recorded_at,
                    r.order.number,
                    r.order.customer.name,
                    r.get_stage_display(),
                    r.quantity_done,
                    r.get_state_display(),
                    r.note,
                    str(r.recorded_by),
                )
                for r in data["records"]
            ],
        ),
        XSheet(
            _("Missed records"),
            [XColumn(_("Order"), 16), XColumn(_("Customer"), 24), XColumn(_("Slot"), 12)],
            [(m["number"], m["customer"], m["slot_label"]) for m in data["missed"]],
        ),
        XSheet(
            _("Exceptions"),
            [
                XColumn(_("Number"), 16),
                XColumn(_("Order"), 16),
                XColumn(_("What happened"), 14),
                XColumn(_("Type"), 14),
                XColumn(_("Level"), 8),
                XColumn(_("Title"), 40),
                XColumn(_("Resolution"), 40),
            ],
            [
                (e.number, e.order.number, _("Raised"), e.get_type_display(), e.level, e.title, "")
                for e in data["raised"]
            ]
            + [
                (
                    e.number,
                    e.order.number,
                    _("Resolved"),
                    e.get_type_display(),
                    e.level,
                    e.title,
                    e.resolution,
                )
                for e in data["resolved"]
            ]
            + [
                (e.number, e.order.number, _("Still open"), e.get_type_display(), e.level, e.title, "")
                for e in data["open_exceptions"]
            ],
        ),
        XSheet(
            _("Shipments"),
            [
                XColumn(_("Order"), 16),
                XColumn(_("Customer"), 24),
                XColumn(_("Quantity that left today"), 14, "#,##0.###"),
                XColumn(_("Note"), 40),
            ],
            [(s.order.number, s.order.customer.name, s.quantity_shipped, s.note) for s in data["shipments"]],
        ),
        XSheet(
            _("Tomorrow"),
            [
                XColumn(_("Planned"), 12),
                XColumn(_("Order"), 16),
                XColumn(_("Milestone"), 30),
                XColumn(_("Overdue"), 10),
            ],
            [
                (m.planned_date, m.plan.order.number, m.name, _("yes") if m.planned_date < day else "")
                for m in data["due"]
            ],
        ),
        XSheet(
            _("My notes"),
            [XColumn(_("Notes"), 80)],
            [(data["notes"],), (_("My plan for tomorrow") + ": " + data["plan_notes"],)],
        ),
    ]
    return xlsx_response(filename=f"daily-log-{user.username}-{day.isoformat()}.xlsx", sheets=sheets)


def weekly_report_response(data: dict) -> HttpResponse:
    user, week = data["subject"], data["week_start"]
    day_rows = [
        (
            d["date"],
            d["records"],
            d["problems"],
            d["missed"],
            d["raised"],
            d["resolved"],
            d["confirmations"],
            d["shipped"],
            d["notes"],
        )
        for d in data["days"]
    ]
    totals = data["totals"]
    day_rows.append(
        (
            _("Total"),
            totals["records"],
            totals["problems"],
            totals["missed"],
            totals["raised"],
            totals["resolved"],
            totals["confirmations"],
            totals["shipped"],
            "",
        )
    )
    sheets = [
        XSheet(
            _("Week"),
            [
                XColumn(_("Date"), 12),
                XColumn(_("Progress records"), 10),
                XColumn(_("Behind / quality"), 10),
                XColumn(_("Missed records"), 10),
                XColumn(_("Exceptions raised"), 10),
                XColumn(_("Exceptions resolved"), 10),
                XColumn(_("Shipments confirmed"), 10),
                XColumn(_("Quantity shipped"), 12, "#,##0.###"),
                XColumn(_("My notes"), 50),
            ],
            day_rows,
        ),
        XSheet(
            _("Open exceptions"),
            [
                XColumn(_("Number"), 16),
                XColumn(_("Order"), 16),
                XColumn(_("Level"), 8),
                XColumn(_("Raised"), 17),
                XColumn(_("Title"), 40),
            ],
            [(e.number, e.order.number, e.level, e.raised_at, e.title) for e in data["open_exceptions"]],
        ),
        XSheet(
            _("Milestones due"),
            [XColumn(_("Planned"), 12), XColumn(_("Order"), 16), XColumn(_("Milestone"), 30)],
            [(m.planned_date, m.plan.order.number, m.name) for m in data["upcoming"]],
        ),
        XSheet(_("Summary"), [XColumn(_("Summary and next week"), 100)], [(data["notes"],)]),
    ]
    return xlsx_response(filename=f"weekly-report-{user.username}-{week.isoformat()}.xlsx", sheets=sheets)


def missed_response(*, rows: list[dict], date_from, date_to) -> HttpResponse:
    return xlsx_response(
        filename=f"missed-records-{date_from.isoformat()}-{date_to.isoformat()}.xlsx",
        sheets=[
            XSheet(
                _("Missed records"),
                [
                    XColumn(_("Date"), 12),
                    XColumn(_("Slot"), 12),
                    XColumn(_("Order"), 16),
                    XColumn(_("Customer"), 24),
                    XColumn(_("Merchandiser"), 14),
                ],
                [
                    (r["date"], r["slot_label"], r["number"], r["customer"], str(r["merchandiser"] or ""))
                    for r in rows
                ],
            )
        ],
    )
