"""Create, Update and Delete of posts (Note, Article, Question, Page, ... and Tombstones)."""
from __future__ import annotations

import logging

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from federation import vocab
from federation.addressing import is_publicly_addressed
from federation.integrity import IntegrityError, verify_proof
from federation.urls import same_origin
from federation.vocab.values import id_of
from server.convert.as_to_post import content_fields, hashtags, mention_hrefs, post_row, post_values
from server.convert.case_to_as import CASE
from server.db.models import Actor, Mention, Post, PostEdit, PostTag
from server.db.models.posts import stays_local
from server.db.types import utcnow
from server.db.upsert import insert_ignore
from server.services.cases import received as cases_received
from server.services.federation.delivery import enqueue_activity
from server.services.federation.inbox.batch import post_columns
from server.services.federation.inbox.context import InboxContext, Refused, Transient
from server.services.federation.inbox.remembered import remember_deleted
from server.services.federation.inbox.votes import take_vote
from server.services.federation.remote_media import withdraw as withdraw_media
from server.services.groups import relay
from server.services.groups.relay import Posted
from server.services.moderation.incoming import screen_media, screen_post
from server.services.posts import fanout as timelines
from server.services.posts import polls
from server.services.reading import conversations, stream_events
from server.services.social.interactions import withdraw_boosts
from server.services.verification.attestations_received import issuer_key_resolver

log = logging.getLogger("curbside.inbox")


async def parse_post(ctx: InboxContext, doc: dict) -> vocab.Post:
    """Parse a post document and check that it belongs to the activity's actor (credited with a post
    that names no author, and addressed as the activity when it names no audience, only when the actor
    signed the activity, as Mastodon does: a forwarder's word sets neither)."""
    authentic = ctx.activity if ctx.authentic else None
    parsed = vocab.parse_object(doc, allow_http=ctx.allow_http, activity=authentic,
                                default_author=authentic and authentic.actor)
    if ctx.activity.actor not in parsed.attributions:
        raise Refused(f"{parsed.id} is attributed to {parsed.attributed_to}, not to {ctx.activity.actor}")
    if not same_origin(parsed.id, ctx.activity.actor):
        raise Refused(f"{parsed.id} is not on the origin of its author {ctx.activity.actor}")
    return parsed


async def _mentioned_locals(ctx: InboxContext, parsed: vocab.Post, visibility: str) -> list[int]:
    """Local actors the post mentions; for private and direct posts, only those it is addressed to
    (Mention tags of a followers-only post reach no one else), plus any local addressee."""
    base = ctx.runtime.settings.base_url
    hrefs = [h for h in mention_hrefs(parsed) if same_origin(h, base)]
    addressed = [a for a in (*parsed.to, *parsed.cc) if same_origin(a, base)]
    if visibility in ("private", "direct"):
        hrefs = [h for h in hrefs if h in addressed] + addressed
    if not hrefs:
        return []
    query = select(Actor.id).where(Actor.local.is_(True), or_(Actor.uri.in_(hrefs), Actor.url.in_(hrefs)))
    return list((await ctx.session.execute(query)).scalars())


async def store_post(ctx: InboxContext, parsed: vocab.Post, author: Actor, *, fan_out: bool,
                     doc: dict) -> Post | None:
    """Store a new remote post with its mentions, tags and reply link (and the case another Curbside's Page
    carries, from `doc`); notify mentioned members and (with `fan_out`) fill home timelines. None when it is
    stored already (its side effects too). Refuses replies to members-only posts. The Post returned is not
    attached to the session."""
    values, parent, mentioned = await _new_post(ctx, parsed, author)
    post = await _write_post(ctx, Post(**values, author=author), parsed, parent, mentioned, fan_out=fan_out)
    if post is not None:
        await keep_case(ctx, parsed, doc)
    return post


async def store_followed_post(ctx: InboxContext, parsed: vocab.Post, author: Actor, doc: dict) -> dict | None:
    """store_post with fan-out, a plain post (no mention of members, not direct, no poll) being deferred to
    the batch (see batch.py) without building its ORM object; returns the new post's column values (those
    post_values names), None when it is stored already."""
    values, parent, mentioned = await _new_post(ctx, parsed, author)
    if not mentioned and values["visibility"] != "direct" and values["poll"] is None:  # polls need a deadline row
        ctx.batch.add(post_row(values), hashtags(parsed), author.domain)
        await keep_case(ctx, parsed, doc)
        return values
    stored = await _write_post(ctx, Post(**values, author=author), parsed, parent, mentioned, fan_out=True)
    if stored is not None:
        await keep_case(ctx, parsed, doc)
    return None if stored is None else values


async def keep_case(ctx: InboxContext, parsed: vocab.Post, doc: dict) -> None:
    """Keep the case another Curbside's Page carries, however its post reached us (sent, fetched for a thread or
    a boost); nothing for any other post or a case kept already."""
    if parsed.name and isinstance(doc, dict) and CASE in doc:
        post_id = await _stored_id(ctx, parsed.id)
        if post_id is not None:
            await cases_received.keep_case(ctx.session, post_id, parsed.name, doc)


async def _new_post(ctx: InboxContext, parsed: vocab.Post, author: Actor) -> tuple[dict, Post | None, list[int]]:
    """The checked, screened column values of a new post, its parent and the members it mentions."""
    session = ctx.session
    if await ctx.batch.was_deleted(session, parsed.id):
        raise Refused(f"{parsed.id} was deleted by its origin before it reached us")
    if parsed.in_reply_to in ctx.batch:
        await ctx.batch.flush(session)
    parent = await ctx.post(parsed.in_reply_to)
    if parent is not None and stays_local(parent):
        raise Refused(f"{parsed.id} replies to a members-only post, which was never federated")
    values = post_values(parsed, author)
    values["in_reply_to_id"] = parent.id if parent is not None else None
    values["attachments"], values["sensitive"] = await screen_media(ctx.runtime, session, author,
                                                                    values["attachments"], values["sensitive"])
    return values, parent, await _mentioned_locals(ctx, parsed, values["visibility"])


async def _write_post(ctx: InboxContext, post: Post, parsed: vocab.Post, parent: Post | None, mentioned: list[int],
                      *, fan_out: bool) -> Post | None:
    """Write a new post now (after the batch's deferred ones) with its side tables; None if stored already."""
    session = ctx.session
    await ctx.batch.flush(session)
    core = await session.connection()
    if (await core.execute(_INSERT_POST[session.bind.dialect.name], post_columns(post))).first() is None:
        return None
    if parent is not None:
        await session.execute(update(Post).where(Post.id == parent.id).values(replies_count=Post.replies_count + 1))
    if mentioned:
        await insert_ignore(session, Mention, [{"post_id": post.id, "actor_id": a} for a in mentioned])
        await timelines.notify(session, "mention", mentioned, post.author_id, post.id)
    await insert_ignore(session, PostTag, [{"post_id": post.id, "tag": t} for t in hashtags(parsed)])
    await polls.register_deadline(session, post)
    if fan_out:
        await timelines.fan_out(session, post, mentioned)
        await conversations.record(session, post, mentioned)
        await timelines.notify_subscribers(session, [post.id], mentioned)
    return post


_INSERT_POST = {name: dialect.insert(Post).on_conflict_do_nothing(index_elements=["uri"]).returning(Post.id)
                for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


async def on_create_note(ctx: InboxContext) -> None:
    doc = await ctx.object_doc()
    if await take_vote(ctx, doc):
        return
    parsed = await parse_post(ctx, doc)
    await _fetch_missing_thread(ctx, parsed, doc)
    # A post stored already (a repeated delivery, or fetched earlier for a boost) is left alone.
    author = await ctx.actor()
    post = await store_followed_post(ctx, parsed, author, doc)
    if post is None:  # stored already (fetched for a thread or a boost): its case is kept all the same
        await keep_case(ctx, parsed, doc)
    if post is not None:
        new = Posted(as_received(ctx, doc), author, post["in_reply_to_id"], lambda: _stored_id(ctx, parsed.id),
                      parsed.name)
        await relay.relay_new_post(ctx.runtime, ctx.session, new)


async def _stored_id(ctx: InboxContext, uri: str) -> int:
    """The id of a post just stored (written now if the batch holds it)."""
    await ctx.batch.flush(ctx.session)
    return await ctx.session.scalar(select(Post.id).where(Post.uri == uri))


def as_received(ctx: InboxContext, doc: dict | str | None = None) -> dict:
    """The activity as its actor's word, to relay it: as received when its actor signed it (or its origin served
    it), else only what was checked of it (a forwarder's body is not relayed); with `doc`, its object as trusted."""
    activity = ctx.activity
    received = ctx.document if ctx.authentic and ctx.document is not None else {
        "id": activity.id, "type": activity.type, "actor": activity.actor, "to": list(activity.to),
        "cc": list(activity.cc), "object": ctx.object_id}
    return received if doc is None else {**received, "object": doc}


MAX_ANCESTORS = 5  # how far up a thread a group fetches what it has not seen


async def _fetch_missing_thread(ctx: InboxContext, parsed: vocab.Post, doc: dict) -> None:
    """A reply to a group here whose parent we have not seen: its ancestors (at most MAX_ANCESTORS) are fetched
    from their origins and stored, and kept as the group's where they are addressed to it or reply to its post,
    so that the group takes the reply into its thread. A fetch that fails leaves the reply as it is."""
    if not parsed.in_reply_to or await ctx.post(parsed.in_reply_to) is not None:
        return
    if not await relay.addressed_groups(ctx.runtime, ctx.session, as_received(ctx, doc), doc):
        return
    ancestors: list[tuple[vocab.Post, dict, Actor]] = []
    uri: str | None = parsed.in_reply_to
    try:
        while uri and len(ancestors) < MAX_ANCESTORS and await ctx.post(uri) is None:
            ancestors.append(await fetch_post(ctx, uri))
            uri = ancestors[-1][0].in_reply_to
    except (Refused, Transient, vocab.VocabError) as exc:
        log.info("%s: cannot fetch %s, in the thread it replies to: %s", parsed.id, uri, getattr(exc, "reason", exc))
    for ancestor, ancestor_doc, author in reversed(ancestors):
        await _store_fetched(ctx, ancestor, ancestor_doc, author)


async def fetch_post(ctx: InboxContext, url: str) -> tuple[vocab.Post, dict, Actor]:
    """The post at `url` fetched from its origin, parsed as if its author (fetched too) had sent it. Refused,
    Transient or VocabError when it cannot be had."""
    doc = await ctx.fetch_object(url)
    author_uri = id_of(doc.get("attributedTo"), allow_http=ctx.allow_http)
    if author_uri is None:
        raise Refused(f"{url} names no author")
    author = await ctx.remote_actor(author_uri)
    return await parse_post(as_author(ctx, author.uri), doc), doc, author


def as_author(ctx: InboxContext, author_uri: str) -> InboxContext:
    """The context of an object fetched from its origin: as if its author had sent it."""
    return InboxContext(ctx.runtime, ctx.session, vocab.Activity(id=author_uri, type="Create", actor=author_uri),
                        signer=author_uri, fetcher_source=ctx.fetcher_source, actors=ctx.actors, batch=ctx.batch)


async def _store_fetched(ctx: InboxContext, parsed: vocab.Post, doc: dict, author: Actor) -> None:
    post = await store_post(as_author(ctx, author.uri), parsed, author, fan_out=False, doc=doc)
    if post is None:
        return
    for group, row in await relay.holding(ctx.session, post.in_reply_to_id):
        await relay.keep(ctx.session, group, post.id, row.thread_id, announce_of=relay.announce_id(group, parsed.id))
    if not post.in_reply_to_uri and is_publicly_addressed(doc):
        for group in await relay.addressed_groups(ctx.runtime, ctx.session, doc):
            await relay.keep(ctx.session, group, post.id, None, announce_of=relay.announce_id(group, parsed.id),
                             title=parsed.name)


def _changed(post: Post, new: dict) -> bool:
    return ((post.content_html, post.summary, post.sensitive, polls.titles(post.poll))
            != (new["content_html"], new["summary"], new["sensitive"], polls.titles(new["poll"])))


async def on_update_note(ctx: InboxContext) -> None:
    if await _case_update_by_group(ctx):
        return
    doc = await ctx.object_doc()
    parsed = await parse_post(ctx, doc)
    post = await ctx.post(parsed.id)
    if post is None:
        return  # never seen: nothing to edit (Mastodon does the same)
    if post.author.uri != ctx.activity.actor:
        raise Refused(f"only the author may update {post.uri}")
    if await _edit(ctx, post, parsed):
        await relay.relay_about(ctx.runtime, ctx.session, as_received(ctx, doc), post.id, post.author)
    if CASE in doc:
        await keep_case(ctx, parsed, doc)  # a case first stored before its case was known
        await cases_received.take_state(ctx.session, post, doc, ctx.activity.actor)


async def _case_update_by_group(ctx: InboxContext) -> bool:
    """A case's group (its moderator resolved it) signs an Update of the case: its state is taken from the body the
    group signed; the post itself is its author's and stays as it is."""
    post = await ctx.post(ctx.object_id) if ctx.object_id else None
    if post is None or post.author.uri == ctx.activity.actor or not ctx.authentic:
        return False
    if not await cases_received.group_case_update(ctx.session, post, ctx.activity.actor):
        return False
    embedded = ctx.embedded()
    if embedded is None or embedded.get("id") != post.uri:
        raise Refused(f"the group's Update of the case {post.uri} does not carry it")
    await cases_received.take_state(ctx.session, post, embedded, ctx.activity.actor)
    return True


async def _edit(ctx: InboxContext, post: Post, parsed: vocab.Post) -> bool:
    """Apply the new version; False when it changes nothing (stale, or the same)."""
    new = content_fields(parsed)
    stale = parsed.updated and post.edited_at and parsed.updated <= post.edited_at
    if stale or not _changed(post, new):
        if post.poll and new["poll"] and polls.titles(post.poll) == polls.titles(new["poll"]):
            post.poll = new["poll"]  # poll counts and closing move without an edit
        return False
    ctx.session.add(PostEdit(post_id=post.id, content_html=post.content_html, summary=post.summary,
                             sensitive=post.sensitive, poll=post.poll))
    options_before = polls.titles(post.poll)
    for name, value in new.items():
        setattr(post, name, value)
    if post.poll and polls.titles(post.poll) != options_before:
        await polls.restart(ctx.session, post)  # new options: earlier votes no longer mean anything
    await screen_post(ctx.runtime, ctx.session, post, post.author)
    post.edited_at = min(parsed.updated or utcnow(), utcnow())
    await ctx.session.execute(delete(PostTag).where(PostTag.post_id == post.id))
    await insert_ignore(ctx.session, PostTag, [{"post_id": post.id, "tag": t} for t in hashtags(parsed)])
    await stream_events.post_edited(ctx.session, post)
    await timelines.notify_boosters(ctx.session, post)
    return True


async def remove_post(session: AsyncSession, post: Post) -> None:
    """Delete a post (and by cascade its boosts, timeline entries, likes), keeping counts right."""
    if post.in_reply_to_id is not None:
        await session.execute(update(Post).where(Post.id == post.in_reply_to_id)
                              .values(replies_count=Post.replies_count - 1))
    if post.boost_of_id is not None:
        await session.execute(update(Post).where(Post.id == post.boost_of_id)
                              .values(boosts_count=Post.boosts_count - 1))
    await conversations.post_removed(session, post)
    await stream_events.post_deleted(session, post)
    if not post.local and post.attachments:  # our cached copies go with it (by its origin, a group, an admin)
        await withdraw_media(session, [item.get("url") for item in post.attachments if isinstance(item, dict)])
    await session.execute(delete(Post).where(Post.id == post.id))


async def on_delete_note(ctx: InboxContext) -> None:
    """Delete of a post, its Tombstone, a boost, or of something unknown: only its author may. The
    deleted id is remembered (see remembered.py), so that a Create overtaken by its Delete, or
    delivered again after it, is refused."""
    object_id, actor = ctx.object_id, ctx.activity.actor
    post = await ctx.post(object_id)
    if post is None:
        # Unknown: anyone on the object's origin could have written it, nobody else may delete it; and
        # only the actor's own signature has it remembered (forwarded.py refuses the others first).
        if ctx.authentic and object_id and object_id != actor and same_origin(object_id, actor):
            await remember_deleted(ctx.session, object_id)
            ctx.batch.deleted.add(object_id)
        return
    if post.author.uri != actor:
        raise Refused(f"{actor} may not delete {post.uri} of {post.author.uri}")
    if not post.local:
        await remember_deleted(ctx.session, post.uri)
        ctx.batch.deleted.add(post.uri)
    await relay.relay_about(ctx.runtime, ctx.session, as_received(ctx), post.id, post.author)
    await _withdraw_boosts(ctx, post)
    await remove_post(ctx.session, post)


async def _withdraw_boosts(ctx: InboxContext, post: Post) -> None:
    """Members' boosts of the post go with it: their followers get an Undo(Announce) from each booster and, as
    Mastodon does, the Delete itself as received, when it is its actor's word (signed by the actor's own key)
    and carries a signature they can check without us: a Linked Data signature (RsaSignature2017), which we
    pass on unchecked as Mastodon does (the receiver checks it), or a Data Integrity proof (FEP-8b32) of the
    actor, which we check first. Without either, their followers still get the Undo."""
    forward = post.boosts_count > 0 and await _signed_for_forwarding(ctx)
    reached = await withdraw_boosts(ctx.runtime, ctx.session, post)
    if not forward:
        return
    for booster, followers in reached:
        await enqueue_activity(ctx.session, ctx.document, booster, followers)


async def _signed_for_forwarding(ctx: InboxContext) -> bool:
    """Whether the activity as received was signed (HTTP) by its actor and carries an LD signature or a proof
    by that actor that verifies."""
    if not ctx.authentic or not ctx.document:
        return False
    signature = ctx.document.get("signature")
    if isinstance(signature, dict) and signature.get("type") == "RsaSignature2017":
        return True
    if "proof" not in ctx.document:
        return False
    await ctx.session.commit()  # the key may be fetched: no transaction held across it
    resolve = issuer_key_resolver(ctx.runtime, await ctx.fetcher_source())
    try:
        verified = await verify_proof(ctx.document, resolve)
    except IntegrityError as exc:
        log.info("not forwarding %s: its proof fails (%s)", ctx.activity.id, exc.reason)
        return False
    return verified.controller == ctx.activity.actor
