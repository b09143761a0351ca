"""The kinds of export that can run as a background job. Each app registers its own in its AppConfig.ready
(one line): how to read the list page's filters, how to count the rows cheaply, how to build the sheets.

A builder gets the requesting user (scope is applied when it runs, with that user's scope, never more),
the stored params, a `progress` callback and a row bound; it returns an ExportBuild whose sheets' rows are
generators, so nothing is read before the workbook writer asks for it. `progress(rows_done)` is called
every few hundred rows; it may raise ExportStopped (time budget, cancelled) to end the work.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from gendan.core.errors import ApplicationError
from gendan.core.excel import XSheet


class ExportStopped(Exception):
    """Raised by a progress callback: the export must stop (reason: "cancelled", "time", "rows")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def no_progress(rows_done: int) -> None:
    return None


@dataclass
class ExportBuild:
    filename: str
    sheets: Sequence[XSheet]
    # filled while the rows are written; what the audit row records (rows, truncated, filters…)
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: Any  # a lazy translation
    audit_what: str
    params: Callable[[QueryDict], dict]  # GET parameters → JSON-able params (bad values dropped)
    count: Callable[..., int]  # (user=, params=) → rows (cheap: one COUNT)
    build: Callable[..., ExportBuild]  # (user=, params=, progress=, max_rows=) → ExportBuild
    allowed: Callable[[Any], bool] = lambda user: True
    log: Callable[..., None] | None = None  # (user=, summary=) → the kind's own log line, once written


KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> None:
    KINDS[kind.code] = kind


class UnknownExportKind(ApplicationError):
    code = "unknown_export_kind"
    status = 400


def export_kind_get(code: str) -> ExportKind:
    from django.utils.translation import gettext as _

    kind = KINDS.get(code)
    if kind is None:
        raise UnknownExportKind(
            _("Unknown export: %(kind)s.") % {"kind": code[:30]},
            extra={
                "fields": {"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(sorted(KINDS))}]}
            },
        )
    return kind
