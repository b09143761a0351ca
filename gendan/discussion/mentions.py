"""@mentions: finding them in a comment's text, resolving them to colleagues, and showing them safely.

Syntax: "@" followed by a colleague's username (``@merch2``) or display name (``@张三``), not preceded by a letter,
digit or "@" (so ``a@b.com`` is no mention). Chinese text often runs on without a space (``@张三请确认``): the
longest leading part of the word that is a username or display name is the mention (cut between two Latin
letters or digits never: ``@sales2026`` names nobody rather than sales). A name that matches nobody,
or a display name shared by two colleagues (write the username then), is refused with a field error.

Showing: `render_body` escapes every piece of the text and builds the mention links with format_html; the user's
text is never marked safe.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from gendan.accounts.models import User

MENTION_RE = re.compile(r"(?<![\w@])@([^\W_][\w.+\-]*)")
NAME_MAX = 50  # display names are at most 50 characters; usernames longer than that cannot be typed after @
TRAILING = ".+-"


@dataclass(frozen=True)
class Found:
    start: int  # of the "@"
    end: int  # after the name
    word: str  # everything after "@" up to the next space or punctuation


def mention_words(body: str) -> list[Found]:
    found = []
    for match in MENTION_RE.finditer(body):
        word = match.group(1).rstrip(TRAILING)[:NAME_MAX]
        found.append(Found(match.start(), match.start() + 1 + len(word), word))
    return found


@dataclass(frozen=True)
class Resolved:
    name: str  # as written after "@" (a prefix of the word)
    user: User | None  # None: nobody, or several colleagues, go by that name
    ambiguous: bool = False


def _prefixes(word: str) -> list[str]:
    """The word, then its shorter leading parts that end where Chinese text runs on (``张三请确认`` → ``张三``),
    never inside a Latin word or number (``@sales2026`` is not ``@sales``)."""
    return [word[:i] for i in range(len(word), 0, -1) if i == len(word) or not _latin(word[i - 1 : i + 1])]


def _latin(pair: str) -> bool:
    return all(char.isascii() and char.isalnum() for char in pair)


def mentions_resolve(body: str) -> list[Resolved]:
    """Each @word of `body` (once each, in order) with the colleague it names, by the longest matching prefix:
    a username (any case) first, else a display name that only one active colleague has."""
    words = list(dict.fromkeys(found.word for found in mention_words(body)))
    if not words:
        return []
    prefixes = {prefix for word in words for prefix in _prefixes(word)}
    lowered = {prefix.lower() for prefix in prefixes}
    candidates = list(
        User.objects.filter(is_active=True)
        .filter(Q(username__in=prefixes) | Q(username__in=lowered) | Q(display_name__in=prefixes))
        .order_by("id")
    )
    # usernames are compared in any case; the query above found them in the case written or all lower
    by_username = {user.username.lower(): user for user in candidates}
    by_display: dict[str, list[User]] = {}
    for user in candidates:
        if user.display_name:
            by_display.setdefault(user.display_name, []).append(user)
    resolved: list[Resolved] = []
    for word in words:
        result = Resolved(name=word, user=None)
        for prefix in _prefixes(word):
            if prefix.lower() in by_username:
                result = Resolved(name=prefix, user=by_username[prefix.lower()])
                break
            named = by_display.get(prefix, [])
            if len(named) == 1:
                result = Resolved(name=prefix, user=named[0])
                break
            if len(named) > 1:
                result = Resolved(name=prefix, user=None, ambiguous=True)
                break
        resolved.append(result)
    return resolved


def render_body(body: str, mentions: Iterable[tuple[str, User]]) -> SafeString:
    """The comment's text as HTML: escaped, line breaks kept by the template's CSS (white-space: pre-wrap),
    each stored mention (name as written → user) a highlighted span naming the colleague."""
    names = dict(mentions)
    pieces: list[tuple[str, str, str]] = []  # (kind, text, title)
    last = 0
    for found in mention_words(body):
        name = next((prefix for prefix in _prefixes(found.word) if prefix in names), None)
        if name is None:
            continue
        pieces.append(("text", body[last : found.start], ""))
        user = names[name]
        pieces.append(("mention", f"@{name}", f"{user} ({user.username})"))
        last = found.start + 1 + len(name)
    pieces.append(("text", body[last:], ""))
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html('<span class="mention" title="{}">{}</span>', title, text)
                if kind == "mention"
                else text,
            )
            for kind, text, title in pieces
        ),
    )
