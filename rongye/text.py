"""Clean-up of text typed or imported by people, shared by the forms and the importers."""

from __future__ import annotations

import re

# Dropped from every text input: invisible control characters (NUL above all, which PostgreSQL
# refuses in text; tabs and line breaks are kept), and the bidirectional embedding, override
# and isolate controls (U+202A-U+202E, U+2066-U+2069), which nobody types in a name or a
# title but which can make one display reversed or disguise the text around it.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
