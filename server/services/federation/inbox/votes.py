"""Votes on our polls from other servers: a Create of a Note with a `name` (the option's title) in
reply to our Question, as Mastodon sends them. Such a Note is a vote, never a reply to show. Only an
actor who may see the poll may vote in it (server.services.social.visibility_to_servers.remote_may_see)."""
from __future__ import annotations

import logging

from federation.urls import same_origin
from federation.vocab.values import id_of
from server.services.federation.inbox.context import InboxContext, Refused
from server.services.posts import polls
from server.services.social.visibility_to_servers import remote_may_see

log = logging.getLogger("curbside.inbox")


async def take_vote(ctx: InboxContext, doc: dict) -> bool:
    """Count `doc` if it is a vote on one of our polls; False when it is not a vote (handle it as a post)."""
    name, reply = doc.get("name"), id_of(doc.get("inReplyTo"), allow_http=ctx.allow_http)
    if not isinstance(name, str) or reply is None or not same_origin(reply, ctx.runtime.settings.base_url):
        return False
    post = await ctx.post(reply)
    if post is None or not post.local or not post.poll or name not in polls.titles(post.poll):
        return False
    vote_id = id_of(doc.get("id"), allow_http=ctx.allow_http)
    author = id_of(doc.get("attributedTo"), allow_http=ctx.allow_http)
    if vote_id is None or author != ctx.activity.actor or not same_origin(vote_id, ctx.activity.actor):
        raise Refused(f"a vote on {post.uri} must be the actor's own Note on its own origin")
    voter = await ctx.actor()
    if not await remote_may_see(ctx.session, post, voter):
        raise Refused(f"{voter.uri} may not see {post.uri} ({post.visibility}), so may not vote in its poll")
    if not await polls.record_remote_vote(ctx.session, post, voter, name, vote_id):
        log.info("vote %s on %s not counted (ended, repeated or a second choice)", vote_id, post.uri)
    return True
