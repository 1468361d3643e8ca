"""A Babel extraction method for the NUCC specialty list, `server/data/nucc_specialties.csv` (babel.cfg's
`nucc`): each row's `name` is a msgid, with its code and profession as a comment for the translator.

The names are translated where they are shown (gettext of the English name: directory, profiles, specialty
menus); codes, and everything signed or federated, stay as NUCC writes them. The CSV is the list, so a name
NUCC adds is extracted by the next `make messages` with nothing to keep in step by hand."""
from __future__ import annotations

import csv
import io
from typing import BinaryIO, Collection, Iterator


def extract_nucc(fileobj: BinaryIO, keywords: Collection[str], comment_tags: Collection[str],
                 options: dict) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel's extractor interface: (line number, no function, the name, comments) per row with a name."""
    rows = csv.DictReader(io.StringIO(fileobj.read().decode("utf-8")))
    for row in rows:
        name = (row.get("name") or "").strip()
        if name:
            yield rows.line_num, None, name, [f"NUCC specialty {row.get('code', '')} ({row.get('profession', '')})"]
