"""Migration 0020: replies stored before 0017 under a members-only post are marked local_only, however deep."""
from sqlalchemy import select

from server.db.migrate import migrate
from server.db.models import Post
from tests.support import factories
from tests.support.migrations import author_before


async def test_local_only_threads_migration_marks_every_reply_below_a_members_only_post(app):
    engine = app.state.engine
    author = await author_before(app, "0020_local_only_threads")
    async with app.state.sessions() as session:
        thread = [await factories.post(session, app.state.urls, author, "local")]
        for _ in range(120):  # deeper than the thread walk this replaces ever looked
            thread.append(await factories.post(session, app.state.urls, author, "private", in_reply_to=thread[-1],
                                               local_only=False))
        public = await factories.post(session, app.state.urls, author, "public")
        await factories.post(session, app.state.urls, author, "public", in_reply_to=public)
        await session.commit()
    await migrate(engine)
    async with app.state.sessions() as session:
        marked = set((await session.execute(select(Post.id).where(Post.local_only.is_(True)))).scalars())
    assert marked == {p.id for p in thread[1:]}
