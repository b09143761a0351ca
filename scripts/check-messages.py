"""Fails when a user-facing string has no zh-Hans translation or the compiled catalog is stale.

Extracts the messages from a temporary copy of the code (so the work tree is untouched) and compares them
with the committed catalog gendan/locale/zh_Hans/LC_MESSAGES/django.po and its compiled .mo.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "gendan" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main() -> int:
    if not CATALOG.exists():
        print(f"missing catalog {CATALOG.relative_to(ROOT)}: run `make messages` and translate")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "gendan"
        shutil.copytree(
            ROOT / "gendan", copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static")
        )
        (copy / "locale").mkdir()
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        django_admin = Path(sys.executable).parent / "django-admin"
        subprocess.run(
            [str(django_admin), "makemessages", "-l", "zh_Hans", "--no-location"],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
        )
        extracted = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(CATALOG)) if not e.obsolete}
    problems = []
    for entry in extracted:
        found = committed.get((entry.msgctxt, entry.msgid))
        if found is None:
            problems.append(f"not in catalog: {entry.msgid!r}")
        elif not (found.msgstr or any(found.msgstr_plural.values())) or "fuzzy" in found.flags:
            problems.append(f"untranslated: {entry.msgid!r}")
    mo = CATALOG.with_suffix(".mo")
    if not mo.exists():
        problems.append("compiled catalog django.mo is missing: run `make messages`")
    else:
        compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo))}
        stale = [key for key, e in committed.items() if e.msgstr and compiled.get(key) != e.msgstr]
        if stale:
            problems.append(
                f"compiled catalog django.mo is stale ({len(stale)} entries): run `make messages`"
            )
    for line in problems[:200]:
        print(line)
    if problems:
        print(f"{len(problems)} translation problem(s)")
        return 1
    print(f"zh-Hans catalog complete: {len(extracted)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
