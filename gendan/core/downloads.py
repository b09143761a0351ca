"""Serving a stored upload: only through a view that has already checked the caller's scope, never from a
public MEDIA_URL (config/urls.py routes none). Each download is written to the audit log (issue 21 item 5)."""

import mimetypes
from urllib.parse import quote

from django.http import FileResponse, HttpRequest

from gendan.core.audit import audit_record
from gendan.core.models import AuditLog


def stored_file_response(
    *,
    request: HttpRequest,
    file,
    what: str,
    object_ref: str,
    filename: str = "",
    content_type: str = "",
    inline: bool = True,
    data: dict | None = None,
) -> FileResponse:
    """The file's bytes for a caller whose scope the view has checked; audited as a download."""
    name = file.name.rsplit("/", 1)[-1]
    if not content_type:
        content_type = mimetypes.types_map.get(
            "." + name.rsplit(".", 1)[-1].lower(), "application/octet-stream"
        )
    audit_record(
        actor=request.user,
        action=AuditLog.Action.DOWNLOAD,
        what=what,
        object_ref=object_ref,
        data={"file": name, **(data or {})},
        request=request,
    )
    response = FileResponse(file.open("rb"), content_type=content_type)
    shown = filename or name
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(shown)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
