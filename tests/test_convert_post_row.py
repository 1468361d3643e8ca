"""post_row gives the row the ORM object would: the batched Create path builds no Post and must write the same."""
import json
from pathlib import Path

import pytest

from federation import vocab
from server.convert.as_to_post import as_to_post, post_row, post_values
from server.db.models import Actor
from server.services.federation.inbox.batch import post_columns

REAL = Path("/work/shared/fixtures/real")
NOTES = sorted(p for p in REAL.glob("*/objects/*.json")
               if json.loads(p.read_text()).get("type") in ("Note", "Article", "Page", "Question"))


def _author(uri: str) -> Actor:
    return Actor(id=7, uri=uri, local=False, username="a", domain="remote.example", followers_url=uri + "/followers")


@pytest.mark.skipif(not NOTES, reason="no real fixtures on this machine")
@pytest.mark.parametrize("path", NOTES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_post_row_is_the_row_of_the_post(path):
    doc = json.loads(path.read_text())
    parsed = vocab.parse_object(doc, allow_http=True)
    author = _author(parsed.attributed_to or "https://remote.example/users/a")
    values = post_values(parsed, author)
    row = post_row(values)
    expected = post_columns(as_to_post(parsed, author))
    expected["id"], expected["published"], expected["created_at"] = row["id"], row["published"], row["created_at"]
    assert row == expected
    assert set(row) == set(post_columns(as_to_post(parsed, author)))
    assert row["author_id"] == 7 and row["uri"] == parsed.id
