from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def order_status_badge(order) -> str:
    """The status badge, plus date-risk and original-pending marks. A tag, not an include: a list page
    draws fifty of them, and an include costs a template render each."""
    marks = []
    if order.is_date_risk:
        marks.append(("badge risk", "date-risk", _("Promised earlier than feasible"), _("Date risk")))
    if order.original_pending:
        marks.append(("badge amber", "original-pending", "", _("Original pending")))
    return format_html(
        '<span class="badge status-{}" data-testid="order-status" data-status="{}">{}</span>{}',
        order.status,
        order.status,
        order.get_status_display(),
        format_html_join(
            "",
            ' <span class="{}" data-testid="{}"{}>{}</span>',
            ((c, t, _title(title), text) for c, t, title, text in marks),
        ),
    )


def _title(text: str) -> str:
    return format_html(' title="{}"', text) if text else ""
