"""Keep the translation catalogues complete: `python -m rongye.catalogues` after `pybabel update`.

English source strings are the msgids; the `en` catalogue repeats them so that it is complete
and an English wording can later be changed without touching the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


#: Our language codes -> catalogue folders. Babel resolves zh_CN to zh_Hans_CN (adding the
#: script), and gettext looks for the catalogue under that name.
CATALOGUE_FOLDERS = {"zh_CN": "zh_Hans_CN", "en": "en"}


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS / CATALOGUE_FOLDERS[language] / "LC_MESSAGES" / "messages.po"


def load(path: Path) -> Catalog:
    """Read a .po or .pot file."""
    with path.open("rb") as fh:
        return read_po(fh)


def fill_english() -> int:
    """Copy each msgid into the empty or fuzzy msgstr of the en catalogue; return how many.

    (`pybabel update` fills new entries with a *similar* string marked fuzzy: for English the
    source string itself is right.)
    """
    path = catalogue_path("en")
    catalogue = load(path)
    filled = 0
    for message in catalogue:
        if message.id and (not message.string or message.fuzzy):
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalogue, width=100, sort_output=True, include_lineno=False)
    return filled


def untranslated(locale: str) -> list[str]:
    """Return the msgids of `locale` with no translation or a fuzzy one."""
    catalogue = load(catalogue_path(locale))
    return [
        str(message.id)
        for message in catalogue
        if message.id and (not message.string or message.fuzzy)
    ]


def main() -> int:
    filled = fill_english()
    missing = untranslated("zh_CN")
    print(f"en: {filled} new entries filled from the source strings")
    for msgid in missing:
        print(f"zh_CN: untranslated: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
