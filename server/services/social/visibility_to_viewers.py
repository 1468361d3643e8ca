"""Who may see a post through the client API and the web UI
(remote requests: server.services.social.visibility_to_servers)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import Actor, Post
from server.db.models.posts import HELD
from server.services.moderation.hidden_from_viewers import visible_posts
from server.services.social.visibility_to_servers import is_accepted_follower, is_mentioned


async def may_see(session: AsyncSession, post: Post, viewer: Actor | None) -> bool:
    """Anonymous callers see public and unlisted posts; members also see members-only posts, the
    followers-only posts of those they follow, and the followers-only and direct posts that mention them
    (as on Mastodon). A post held for a moderator is its author's alone (moderators read it through the
    admin API)."""
    if post.visibility == HELD:
        return viewer is not None and viewer.id == post.author_id
    if post.visibility in ("public", "unlisted"):
        return True
    if viewer is None:
        return False
    if post.author_id == viewer.id or post.visibility == "local" or await is_mentioned(session, post.id, viewer.id):
        return True
    return post.visibility == "private" and await is_accepted_follower(session, viewer.id, post.author_id)


async def visible_post(session: AsyncSession, post_id: int, viewer: Actor | None) -> Post | None:
    post = await session.get(Post, post_id)
    if post is None or not await may_see(session, post, viewer):
        return None
    if post.boost_of_id is not None:
        original = await session.get(Post, post.boost_of_id)
        if original is None or not await may_see(session, original, viewer):
            return None
    if not await visible_posts(session, [post], viewer):  # moderation: suspended, blocked, muted
        return None
    return post
