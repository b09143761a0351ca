"""Add or fix zh-Hans translations: `python scripts/po-add.py 'msgid=译文' …`, then compile (make messages)."""

import sys
from pathlib import Path

import polib

CATALOG = (
    Path(__file__).resolve().parent.parent / "gendan" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
)


def main(pairs: list[str]) -> int:
    po = polib.pofile(str(CATALOG))
    for pair in pairs:
        msgid, _sep, msgstr = pair.partition("=")
        entry = po.find(msgid)
        if entry is None:
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        else:
            entry.msgstr = msgstr
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
    po.save(str(CATALOG))
    po.save_as_mofile(str(CATALOG.with_suffix(".mo")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
