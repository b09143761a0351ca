"""The machinery of the authorization matrix: who may see which side's objects (written out, not asked of the
application), one request in a savepoint with its database writes recorded, and the text of any response
(HTML, JSON with its escapes undone, PDF through pdftotext, xlsx through openpyxl) to search for leaks."""

import io
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.test import Client

from tests.security.world import USERNAMES, World

# --- who is who --------------------------------------------------------------------------------------------

EVERYONE = frozenset(USERNAMES)
ROLE_USERS = {
    "admin": {"admin"},
    "gm": {"gm"},
    "supervisor": {"sup", "sup2"},
    "merchandiser": {"m1", "m2", "m3"},
    "sales": {"sales"},
    "planner": {"planner"},
    "reviewer": {"tech", "purchasing", "qc", "finance"},
    "auditor": {"auditor"},
}


def users(*names: str) -> frozenset[str]:
    """Role names and/or usernames → the set of usernames."""
    found: set[str] = set()
    for name in names:
        found |= ROLE_USERS.get(name, {name})
    unknown = found - EVERYONE
    assert not unknown, unknown
    return frozenset(found)


def but(*names: str) -> frozenset[str]:
    return EVERYONE - users(*names)


NOBODY: frozenset[str] = frozenset()
SEE_ALL = users("admin", "gm", "auditor")
PLANNING_AND_REVIEW = users("planner", "reviewer")

# The side's owner, the owner's supervisor and the customer's salesperson (side "own" only).
OWNERS = {"own": {"m1", "sup", "sales"}, "other": {"m3", "sup2"}}
MERCHANDISER = {"own": "m1", "other": "m3"}
LEAD = {"own": "sup", "other": "sup2"}

# Scope kinds (SPEC §1, docs/architecture.md "Scope"): who may see side X's object of that kind.
SCOPES: dict[str, Callable[[str], frozenset[str]]] = {
    # orders from review onward and what hangs off them: owner, team lead, salesperson, planners and
    # reviewers (they review and plan every order), GM / auditor / admin
    "order": lambda side: SEE_ALL | OWNERS[side] | PLANNING_AND_REVIEW,
    # a draft order: not yet submitted, so not for planners and reviewers
    "draft": lambda side: SEE_ALL | OWNERS[side],
    # customers: planners and reviewers need every customer's name and credit
    "customer": lambda side: SEE_ALL | OWNERS[side] | PLANNING_AND_REVIEW,
    # inquiries and quotations (prices being negotiated): the customer's people only
    "quote": lambda side: SEE_ALL | OWNERS[side],
    # a merchandiser's appraisal (violations, scores, handovers): self, their supervisor, GM / auditor / admin
    "merch": lambda side: SEE_ALL | {MERCHANDISER[side], LEAD[side]},
    # a permanent reassignment: both merchandisers (the world's go to m2), their supervisors, GM / auditor / admin
    "reassignment": lambda side: SEE_ALL | {MERCHANDISER[side], LEAD[side], "m2", "sup"},
    # an inbox notification: its recipient only
    "self": lambda side: frozenset({MERCHANDISER[side]}),
    # suppliers and subcontractors (parties.selectors.supplier_visible_list): everyone but salespeople
    "supplier": lambda side: EVERYONE - {"sales"},
}


def sees(kind: str, user: str, side: str) -> bool:
    return user in SCOPES[kind](side)


def side_texts(world: World, side: str) -> list[tuple[str, str]]:
    """(text, scope kind) pairs that identify side's objects."""
    s = world.side(side)
    tag = "A" if side == "own" else "B"
    return [
        (s.customer.name, "customer"),
        (s.customer.code, "customer"),
        (s.order.number, "order"),
        (s.delivered.number, "order"),
        (s.in_review.number, "order"),
        (s.draft.number, "draft"),
        (f"面料延期 {tag}", "order"),  # the exception's title
        (f"领口开线 {tag}", "order"),  # the complaint's description
        (f"讨论 {tag}", "order"),  # a comment on the exception
        (f"询价 {tag}", "quote"),  # the inquiry's subject
        (s.quotation_number, "quote"),
        (f"未按时跟进 {tag}", "merch"),  # the violation's description
    ]


def forbidden_texts(world: World, user: str) -> list[tuple[str, str]]:
    """Every identifying text `user` may never be shown, with the side it belongs to."""
    return [
        (text, side)
        for side in ("own", "other")
        for text, kind in side_texts(world, side)
        if not sees(kind, user, side)
    ]


# Totals for the terminal summary (tests/security/conftest.py).
STATS = {"cells": 0, "leaks": 0, "fuzz_cases": 0, "fuzz_2xx": 0, "fuzz_5xx": 0}


# --- one request ----------------------------------------------------------------------------------------

# Bookkeeping any request may write (the session, a token's last use); everything else is a data write.
IGNORED_TABLES = frozenset({"django_session"})
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_TOKEN_USE = re.compile(
    r'^\s*UPDATE\s+"?accounts_apitoken"?\s+SET\s+"?last_used_at"?\s*=[^,]*WHERE', re.IGNORECASE
)


@dataclass
class Outcome:
    status: int
    text: str
    error: str = ""
    writes: list[str] = field(default_factory=list)
    content_type: str = ""
    location: str = ""

    @property
    def wrote(self) -> bool:
        return bool(self.writes)


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(content)
            handle.flush()
            result = subprocess.run(
                ["pdftotext", "-q", "-enc", "UTF-8", handle.name, "-"],
                capture_output=True,
                check=True,
                timeout=30,
            )
        return result.stdout.decode()
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return "\n".join(
            "\t".join("" if value is None else str(value) for value in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    finally:
        workbook.close()


def response_text(content: bytes, content_type: str) -> str:
    """What a person would read in the response: JSON without \\u escapes, PDF and xlsx as text."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            return json.dumps(json.loads(content or b"null"), ensure_ascii=False)
        except ValueError:
            return content.decode(errors="replace")
    if kind == "application/pdf":
        return pdf_text(content)
    if kind.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        return xlsx_text(content)
    if kind.startswith("image/") or kind == "application/octet-stream":
        return ""
    return content.decode(errors="replace")


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        # the test client's wrapper closes the response once the content is consumed (closing it here
        # again would fire request_finished and close the database connection inside the transaction)
        return b"".join(response.streaming_content)
    return response.content


def perform(client: Client, method: str, url: str, **kwargs: Any) -> Outcome:
    """One request in a savepoint that is rolled back: its writes are recorded, never kept."""
    writes: list[str] = []

    def record(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match and match.group(1).lower() not in IGNORED_TABLES and not _TOKEN_USE.match(sql):
            writes.append(match.group(1).lower())
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(record):
            response = getattr(client, method)(url, **kwargs)
        content = body_of(response)
        content_type = response.get("Content-Type", "")
        transaction.set_rollback(True)
    return Outcome(
        status=response.status_code,
        text=response_text(content, content_type) if response.status_code < 500 else "",
        writes=writes,
        content_type=content_type,
        location=response.get("Location", ""),
        error=repr(response.exc_info[1]) if getattr(response, "exc_info", None) else "",
    )


def sent_values(*payloads: Any) -> list[str]:
    """The strings a request carried (query and form values): a page may echo what it was sent (a search
    box), which is not a leak."""
    found: list[str] = []
    for payload in payloads:
        if isinstance(payload, dict):
            found += sent_values(*payload.values())
        elif isinstance(payload, list | tuple):
            found += sent_values(*payload)
        elif isinstance(payload, str | int):
            found.append(str(payload))
    return found


def leaks(outcome: Outcome, forbidden: Iterable[tuple[str, str]], sent: Iterable[str] = ()) -> list[str]:
    text = outcome.text
    for value in sorted(set(sent), key=len, reverse=True):
        if len(value) >= 4:
            text = text.replace(value, "")
    return [f"{text_} ({side})" for text_, side in forbidden if text_ and text_ in text]
