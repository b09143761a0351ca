"""Form widgets that render in Python where Django's per-option templates cost too much."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class PlainSelect(forms.Select):
    """A `<select>` with the markup of Django's, its options written in Python instead of one template
    rendering each: the order list's customer filter lists a team's hundreds of customers, and rendering
    them took longer than the page's queries."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        if self.allow_multiple_selected:  # pragma: no cover - only single selects use it
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        wanted = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, flatatt(final))]
        chosen = False
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # option groups: Django's own rendering
                return super().render(name, value, attrs, renderer)
            text = "" if option_value is None else str(option_value)
            selected = not chosen and text in wanted
            chosen = chosen or selected
            parts.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    text,
                    mark_safe(" selected") if selected else "",
                    label,
                )
            )
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # every part went through format_html
