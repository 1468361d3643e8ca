"""Migration 0022: polls stored in earlier shapes are rewritten to the one shape server.db.poll_json reads."""
from datetime import datetime, timezone

from sqlalchemy import select

from server.db.migrate import migrate
from server.db.models import Post, PostEdit
from server.db.poll_json import Poll, PollOption, read_poll
from tests.support import factories
from tests.support.migrations import author_before

FIRST = {"options": [{"name": "Yes", "votes": 3}, {"name": "No", "votes": 1}, "junk"], "multiple": False,
         "end_time": "2020-01-01T00:00:00Z", "voters_count": 4}
SECOND = {"options": [{"title": "a", "votes": 2}, {"title": "b", "votes": 0}], "multiple": True,
          "expires_at": "2999-05-01T10:00:00+00:00", "closed": False, "voters_count": None}
ONE = {"options": [{"title": "x", "votes_count": 1}, {"title": "y", "votes_count": 5}], "multiple": False,
       "expires_at": "2999-01-01T00:00:00Z", "closed": True, "voters_count": 6}


async def test_poll_shape_migration_rewrites_old_polls_to_the_one_shape(app):
    engine = app.state.engine
    author = await author_before(app, "0022_poll_shape")
    async with app.state.sessions() as session:
        first, second, one = [await factories.post(session, app.state.urls, author, poll=p)
                              for p in (FIRST, SECOND, ONE)]
        session.add(PostEdit(id=1, post_id=second.id, content_html="", poll=FIRST))
        await session.commit()
    await migrate(engine)
    async with app.state.sessions() as session:
        stored = dict((await session.execute(select(Post.id, Post.poll))).all())
        edit = await session.scalar(select(PostEdit.poll))
    assert stored[first.id] == edit == {
        "options": [{"title": "Yes", "votes_count": 3}, {"title": "No", "votes_count": 1}], "multiple": False,
        "expires_at": "2020-01-01T00:00:00Z", "closed": False, "voters_count": 4}
    assert read_poll(stored[second.id]) == Poll((PollOption("a", 2), PollOption("b", 0)), True,
                                                datetime(2999, 5, 1, 10, tzinfo=timezone.utc), False, None)
    assert stored[second.id]["expires_at"] == "2999-05-01T10:00:00Z"
    assert stored[one.id] == ONE
