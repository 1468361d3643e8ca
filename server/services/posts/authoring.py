"""Local members' posts: write, edit, delete, with mentions resolved, hashtags linked and the
activity queued for delivery in the same transaction as the post itself.

The patient-privacy guard screens every text of a post (and of an edit) first. Under the `hold` policy a
post with findings is stored with visibility ``held`` (its author alone sees it) and a HeldPost row puts it
in the moderators' queue (server.services.moderation.held), which later calls `publish`; an edit with
findings of a published post is kept aside in that row and the post stays as it was."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import delete, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from federation.addressing import address, is_federated
from federation.text import MentionTarget, extract_hashtags, extract_mentions, render_post
from moderation.errors import Kind, ServiceError
from moderation.phi import PhiDecision, check_post
from moderation.phi.image_findings import UNCHECKED_KIND, MediaFinding
from server.convert.case_to_as import title_heading
from server.convert.post_to_as import InGroup, create_activity, delete_activity, update_activity
from server.db.ids import snowflake
from server.db.models import Actor, Delivery, HeldPost, Like, Mention, Post, PostEdit, PostTag
from server.db.models.posts import HELD, MEMBERS_ONLY, VISIBILITIES, stays_local
from server.db.poll_json import new_poll, poll_json
from server.db.types import utcnow
from server.i18n import N_
from server.metrics import process_metrics
from server.runtime import Runtime
from server.services.cases import edited as cases_edited
from server.services.cases.lookup import case_extension
from server.services.federation.delivery import enqueue_activity, remote_followers
from server.services.federation.remote_actors import RemoteActorError, resolve_acct
from server.services.groups import relay as group_relay
from server.services.groups import remote_threads
from server.services.groups import threads as group_threads
from server.services.groups.registry import group_actor_named, group_by_actor
from server.services.instance.settings import phi_policy
from server.services.moderation import audit
from server.services.posts import media as media_service
from server.services.posts import polls
from server.services.posts.fanout import fan_out, notify, notify_boosters, notify_subscribers
from server.services.posts.media_phi import QUEUED
from server.services.reading import conversations, stream_events
from server.services.social.interactions import withdraw_boosts
from server.services.social.visibility_to_servers import find_member
from server.services.social.visibility_to_viewers import may_see

RESEND_WINDOW = timedelta(minutes=10)  # sending a flagged post again within this confirms it
MAX_CHARS = 5000
MAX_POLL_OPTIONS = 4
MAX_POLL_OPTION_CHARS = 50
PHI_WARNED, PHI_CONFIRMED = "phi.warned", "phi.confirmed"
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,2}")  # a BCP 47 tag as clients send them: en, pt-BR


class PhiFound(ServiceError):
    """The patient-privacy check found identifiers and the policy says not to post as it is.

    Its text is what Mastodon apps show: under the warn policy it names what was found and says how to
    confirm from any app (send the same post again, see `confirmed_by_resending`)."""

    def __init__(self, decision: PhiDecision, draft: str = ""):
        found = "; ".join(dict.fromkeys(_described(f) for f in decision.findings))
        if decision.action == "reject":
            advice = "this community does not accept it"
        else:
            minutes = int(RESEND_WINDOW.total_seconds() // 60)
            advice = (f"if it does not, send the same post again within {minutes} minutes to confirm it, "
                      "or edit it")
        super().__init__(f"this post may identify a patient ({found}): {advice}")
        self.decision = decision
        self.draft = draft  # digest of the refused post, so that sending it again confirms it


def _described(finding) -> str:
    if isinstance(finding, MediaFinding):
        if finding.kind == UNCHECKED_KIND:
            return "could not check this image"
        what = finding.kind.replace("_", " ")
        return f'{what} "{_clip(finding.text)}" in an image' if finding.text else f"{what} in an image"
    return f'{finding.kind.replace("_", " ")} "{_clip(finding.text)}"'


def _clip(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit - 1] + "…"


@dataclass(frozen=True)
class PollSpec:
    options: tuple[str, ...]
    expires_in: int  # seconds
    multiple: bool = False


@dataclass(frozen=True)
class NewPost:
    text: str
    visibility: str = "public"
    spoiler_text: str = ""
    sensitive: bool = False
    in_reply_to_id: int | None = None
    language: str | None = None
    poll: PollSpec | None = None
    media: tuple[dict, ...] = field(default_factory=tuple)
    phi_confirmed: bool = False
    media_ids: tuple[int, ...] | None = None  # uploads to attach; None on an edit keeps the post's media
    media_findings: tuple = ()  # what the guard found in the uploads (image_findings.MediaFinding)
    title: str | None = None  # a thread's title: the post is a Page (as Lemmy's), screened as its last text


def _texts(new: NewPost) -> list[str]:
    texts = [new.text, new.spoiler_text, *(new.poll.options if new.poll else ()),
             *(m.get("description") or "" for m in new.media)]
    return texts if new.title is None else [*texts, new.title]


def check_privacy(new: NewPost, policy: str, *, resent: bool = False, model: bool = False) -> PhiDecision:
    """Run the patient-privacy guard over every text of the post (text, content warning, poll options,
    image descriptions; moderation.phi decides). Raises PhiFound when the post must be confirmed or is
    refused; returns the decision otherwise ("allow", or "hold": the caller holds the post). A post
    with findings that is allowed was confirmed by its author (`phi_confirmed`, or `resent`). `model`
    adds the statistical second signal (CURBSIDE_PHI_MODEL)."""
    decision = check_post(_texts(new), policy, override=new.phi_confirmed or resent,
                          image_findings=new.media_findings, model=model)
    process_metrics().phi_decisions.labels(decision.action).inc()
    if decision.action in ("confirm", "reject"):
        raise PhiFound(decision)
    return decision


def draft_digest(author: Actor, new: NewPost) -> str:
    """What makes two submissions "the same post": author, every text and the attachments."""
    media = [m.get("id") for m in new.media] if new.media_ids is None else list(new.media_ids)
    data = json.dumps([author.id, _texts(new), media], ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


async def screen(runtime: Runtime, session: AsyncSession, author: Actor, new: NewPost) -> PhiDecision:
    """check_privacy under the policy in force (the admin's run-time setting, else the environment's).

    Under the warn policy a post identical to one warned about in the last RESEND_WINDOW is confirmed:
    Mastodon apps cannot send `phi_confirmed`, but every app can send the same post again."""
    policy = await phi_policy(session, runtime.settings)
    digest = draft_digest(author, new)
    try:
        return check_privacy(new, policy, model=runtime.settings.phi_model)
    except PhiFound as exc:
        exc.draft = digest
        if exc.decision.action != "confirm" or not await _warned_recently(session, author, digest):
            raise
    return check_privacy(new, policy, resent=True, model=runtime.settings.phi_model)


async def _warned_recently(session: AsyncSession, author: Actor, digest: str) -> bool:
    since = utcnow() - RESEND_WINDOW
    warnings = await audit.entries(session, action=PHI_WARNED, target=digest, since=since, limit=20)
    return any(e.actor_id == author.id for e in warnings)


async def remember_warning(session: AsyncSession, author: Actor, exc: PhiFound) -> None:
    """Note that the author was asked to confirm this post (the caller commits): sending it again confirms."""
    if exc.decision.action == "confirm" and exc.draft:
        kinds = sorted({f.kind for f in exc.decision.findings})
        await audit.record(session, author, PHI_WARNED, "draft", exc.draft, details={"kinds": kinds})


async def _record_confirmation(session: AsyncSession, author: Actor, post: Post, decision: PhiDecision,
                               new: NewPost) -> None:
    """A post posted despite findings carries the author's confirmation, in its row and in the audit log."""
    if decision.action != "allow" or not decision.findings:
        return
    post.phi_confirmed = True
    how = "phi_confirmed" if new.phi_confirmed else "sent again"
    kinds = sorted({f.kind for f in decision.findings})
    await audit.record(session, author, PHI_CONFIRMED, "post", post.uri, reason=f"author confirmed ({how})",
                       details={"kinds": kinds, "how": how})


def federated(post: Post) -> bool:
    """Whether the post's activities go to other servers: never while held, never in a members-only thread."""
    return post.visibility != HELD and not stays_local(post) and is_federated(post.visibility)


NARROWER_THAN_MEMBERS = ("private", "direct")


def reply_audience(chosen: str, parent: Post | None) -> tuple[str, bool]:
    """(visibility, local_only) of a post: a reply under a members-only thread stays on the instance and
    keeps the narrower of the two audiences (followers-only and direct stay so; wider ones become
    members-only)."""
    if parent is None or not stays_local(parent):
        return chosen, False
    return (chosen if chosen in NARROWER_THAN_MEMBERS else MEMBERS_ONLY), True


async def _group_audience(session: AsyncSession, chosen: str, local_only: bool,
                          mentioned: list[Actor]) -> tuple[str, bool]:
    """A post to a members-only group stays on the instance, as a reply in a members-only thread does."""
    for actor in mentioned:
        group = await group_by_actor(session, actor) if actor.actor_type == "Group" else None
        if group is not None and group.members_only:
            return (chosen if chosen in NARROWER_THAN_MEMBERS else MEMBERS_ONLY), True
    return chosen, local_only


async def _remote_group_addressed(session: AsyncSession, parent: Post | None, visibility: str, local_only: bool,
                                  addressed: list[str]) -> list[str]:
    """The remote group to cc a public or unlisted reply in its thread to, whatever its author typed; never for a
    narrower reply (followers-only, direct), which the group is not to see."""
    if parent is None or local_only or visibility not in remote_threads.OPEN:
        return []
    group = await remote_threads.thread_group(session, parent)
    return [group.uri] if group is not None and group.uri not in addressed else []


def _check_reach(visibility: str, local_only: bool, mentioned: list[Actor]) -> None:
    """A direct message in a members-only thread stays here: refused rather than silently not sent when it
    addresses someone on another server."""
    remote = [a.acct for a in mentioned if not a.local]
    if local_only and visibility == "direct" and remote:
        raise ServiceError(N_("this thread is members-only and never leaves this server, so %(accounts)s cannot "
                              "receive this message"), values={"accounts": ", ".join(remote)})


def findings_json(decision: PhiDecision) -> list[dict]:
    """The guard's findings as the client API's 422 and the moderators' queue show them."""
    return [f.as_json() if isinstance(f, MediaFinding) else
            {"kind": f.kind, "text": f.text, "start": f.start, "end": f.end, "field": f.field, "reason": f.reason}
            for f in decision.findings]


def new_post_json(new: NewPost) -> dict:
    """A post kept for later, as the held_posts row (an edit kept for review) and the scheduled_posts row store it
    (posts.NewPost's fields)."""
    poll = {"options": list(new.poll.options), "expires_in": new.poll.expires_in,
            "multiple": new.poll.multiple} if new.poll else None
    return {"text": new.text, "spoiler_text": new.spoiler_text, "sensitive": new.sensitive,
            "language": new.language, "poll": poll, "visibility": new.visibility,
            "in_reply_to_id": new.in_reply_to_id, "phi_confirmed": new.phi_confirmed,
            "media_ids": list(new.media_ids) if new.media_ids is not None else None}


def new_post_from_json(data: dict) -> NewPost:
    poll = data.get("poll")
    return NewPost(text=data["text"], spoiler_text=data.get("spoiler_text") or "",
                   sensitive=bool(data.get("sensitive")), language=data.get("language"),
                   visibility=data.get("visibility") or "public", in_reply_to_id=data.get("in_reply_to_id"),
                   phi_confirmed=bool(data.get("phi_confirmed")),
                   poll=PollSpec(tuple(poll["options"]), int(poll["expires_in"]), bool(poll["multiple"]))
                   if poll else None,
                   media_ids=tuple(data["media_ids"]) if data.get("media_ids") is not None else None)


def _validate(new: NewPost) -> None:
    if new.visibility not in VISIBILITIES:
        raise ServiceError(N_("visibility must be one of %(choices)s"), values={"choices": ", ".join(VISIBILITIES)})
    if not new.text.strip() and not new.media:
        raise ServiceError(N_("a post needs text or media"))
    if new.language is not None and (len(new.language) > 16 or not LANGUAGE.fullmatch(new.language)):
        raise ServiceError(N_("language must be a language code such as en"))
    if len(new.text) + len(new.spoiler_text) > MAX_CHARS:
        raise ServiceError(N_("a post is at most %(limit)s characters"), values={"limit": MAX_CHARS})
    if new.poll and new.media:
        raise ServiceError(N_("a post has media or a poll, not both"))
    if new.poll:
        if not 2 <= len(new.poll.options) <= MAX_POLL_OPTIONS:
            raise ServiceError(N_("a poll has 2 to %(limit)s options"), values={"limit": MAX_POLL_OPTIONS})
        if any(not o.strip() or len(o) > MAX_POLL_OPTION_CHARS for o in new.poll.options):
            raise ServiceError(N_("poll options are 1 to %(limit)s characters"),
                               values={"limit": MAX_POLL_OPTION_CHARS})
        if not 300 <= new.poll.expires_in <= 30 * 86400:
            raise ServiceError(N_("a poll lasts from 5 minutes to 30 days"))


async def resolve_mentions(runtime: Runtime, session: AsyncSession, text: str) -> dict[str, Actor]:
    """Mentions as written ('user' or 'user@domain') -> actors; unresolvable ones (and local accounts the world
    may not see) are left out."""
    found: dict[str, Actor] = {}
    domain = runtime.settings.domain
    for user, host in extract_mentions(text)[:20]:
        key = f"{user}@{host}" if host else user
        if key in found:
            continue
        if host is None or host.lower() == domain:
            actor = (await find_member(session, domain, runtime.urls.instance_actor, user)
                     or await group_actor_named(session, domain, user))
        else:
            try:
                actor = await resolve_acct(runtime, session, user, host)
            except RemoteActorError:
                actor = None
        if actor is not None:
            found[key] = actor
    return found


def _poll(spec: PollSpec | None) -> dict | None:
    if spec is None:
        return None
    return poll_json(new_poll(spec.options, spec.multiple, utcnow() + timedelta(seconds=spec.expires_in)))


async def _with_uploads(runtime: Runtime, session: AsyncSession, author: Actor, new: NewPost,
                        post_id: int | None = None) -> tuple[NewPost, list]:
    """The post with its uploads' attachment data, and the uploads to claim (none when media_ids is None)."""
    if new.media_ids is None:
        return new, []
    uploads = await media_service.claimable(session, author, list(new.media_ids), post_id)
    return replace(new, media=tuple(media_service.attachment_json(runtime, u) for u in uploads),
                   media_findings=_image_findings(uploads)), uploads


def _image_findings(uploads: list) -> tuple:
    """What the guard found in the uploads; an upload it is still looking at cannot be posted yet."""
    waiting = [str(u.id) for u in uploads if u.phi_status == QUEUED]
    if waiting:
        raise ServiceError(N_("media %(ids)s is still being checked for patient details: try again in a moment"),
                           values={"ids": ", ".join(waiting)})
    return tuple(MediaFinding.from_json(str(u.id), f) for u in uploads for f in u.phi_findings or ())


async def audience_of(session: AsyncSession, post: Post, mentioned: list[Actor]) -> list[Actor]:
    """Who receives a post's activities: followers (unless direct), mentioned actors, the replied-to author, and
    the remote group whose thread a public or unlisted reply is in (as Lemmy and Mbin address replies)."""
    recipients = list(mentioned)
    if (group := await remote_threads.reply_group(session, post)) is not None:
        recipients.append(group)
    if post.visibility in ("public", "unlisted", "private"):
        recipients += await remote_followers(session, post.author_id)
    if post.in_reply_to_id:
        parent = await session.get(Post, post.in_reply_to_id)
        if parent is not None and post.visibility != "direct":
            recipients.append(parent.author)
    return recipients


async def _mentioned(session: AsyncSession, post_id: int) -> list[Actor]:
    query = select(Actor).join(Mention, Mention.actor_id == Actor.id).where(Mention.post_id == post_id)
    return list((await session.execute(query)).scalars())


async def _reached(session: AsyncSession, post: Post) -> list[str]:
    """The inboxes the post's Create was queued to (the deliveries table keeps them)."""
    query = select(Delivery.inbox).where(Delivery.activity_uri == f"{post.uri}/activity")
    return list((await session.execute(query)).scalars())


async def _interacted(session: AsyncSession, post_id: int) -> list[Actor]:
    """Remote accounts whose servers fetched the post to boost, reply to or favourite it."""
    ids = union(select(Post.author_id).where(Post.boost_of_id == post_id),
                select(Post.author_id).where(Post.in_reply_to_id == post_id),
                select(Like.actor_id).where(Like.post_id == post_id))
    query = select(Actor).where(Actor.id.in_(select(ids.subquery())), Actor.local.is_(False))
    return list((await session.execute(query)).scalars())


async def reply_parent(session: AsyncSession, author: Actor, post_id: int | None) -> Post | None:
    """The post replied to, if any: one the author may see and that is published."""
    if post_id is None:
        return None
    parent = await session.get(Post, post_id)
    if parent is None or parent.boost_of_id is not None or not await may_see(session, parent, author):
        raise ServiceError(N_("the post replied to does not exist"))
    if parent.visibility == HELD:
        raise ServiceError(N_("the post replied to is awaiting a moderator"))
    return parent


async def checked(runtime: Runtime, session: AsyncSession, author: Actor, new: NewPost
                  ) -> tuple[NewPost, list, PhiDecision]:
    """A new post as it would be posted now: its uploads' data added, validated and screened (PhiFound when the
    guard refuses it or asks to confirm); with the uploads to claim and the guard's decision."""
    if author.moved_to_uri:  # as on Mastodon, a moved account posts no more (until the move is undone)
        raise ServiceError(N_("this account has moved to %(uri)s: it no longer posts"),
                           values={"uri": author.moved_to_uri})
    new, uploads = await _with_uploads(runtime, session, author, new)
    _validate(new)
    return new, uploads, await screen(runtime, session, author, new)


async def create_post(runtime: Runtime, session: AsyncSession, author: Actor, new: NewPost,
                      stored: Callable[[Post], Awaitable[None]] | None = None) -> Post:
    """Store a member's post and queue its Create; the caller commits and then wakes the delivery queue.
    `stored` writes what belongs with the post (a case's row) before anything is built from it."""
    new, uploads, decision = await checked(runtime, session, author, new)
    urls = runtime.urls
    parent = await reply_parent(session, author, new.in_reply_to_id)
    if parent is not None and await group_relay.locked_thread(session, parent.id):
        raise ServiceError(N_("the thread is locked: its group's moderators closed it to replies"))
    visibility, local_only = reply_audience(new.visibility, parent)
    mentions = await resolve_mentions(runtime, session, new.text)
    targets = {key: MentionTarget(actor_id=a.uri, profile_url=a.url or a.uri, acct=a.acct)
               for key, a in mentions.items()}
    rendered = render_post(new.text, mentions=targets, tag_url=urls.tag)
    mentioned = list({a.id: a for a in mentions.values()}.values())
    if parent is not None and parent.author_id != author.id and parent.author not in mentioned:
        mentioned.append(parent.author)
    visibility, local_only = await _group_audience(session, visibility, local_only, mentioned)
    _check_reach(visibility, local_only, mentioned)
    to, cc = ([], []) if local_only or not is_federated(visibility) else address(
        visibility, followers_url=author.followers_url, mentioned=[a.uri for a in mentioned])
    cc += await _remote_group_addressed(session, parent, visibility, local_only, [*to, *cc])
    post_id = snowflake()
    held = decision.action == "hold"
    post = Post(id=post_id, uri=urls.status(author.username, post_id), url=urls.status_url(author.username, post_id),
                author_id=author.id, local=True, visibility=HELD if held else visibility, local_only=local_only,
                content_html=(title_heading(new.title) if new.title else "") + rendered.html, source=new.text,
                object_type="Page" if new.title else "Note",
                summary=new.spoiler_text or None, sensitive=new.sensitive or bool(new.spoiler_text),
                language=new.language, in_reply_to_uri=parent.uri if parent else None,
                in_reply_to_id=parent.id if parent else None, to=to, cc=cc, tags=rendered.tags,
                attachments=list(new.media), poll=_poll(new.poll), published=utcnow())
    post.author = author
    session.add(post)
    await session.flush()
    await _record_confirmation(session, author, post, decision, new)
    await media_service.attach(session, uploads, post.id)
    session.add_all([Mention(post_id=post.id, actor_id=a.id) for a in mentioned])
    session.add_all([PostTag(post_id=post.id, tag=t.lower()) for t in dict.fromkeys(extract_hashtags(new.text))])
    if stored is not None:
        await stored(post)
    if held:
        session.add(HeldPost(post_id=post.id, kind="post", visibility=visibility, findings=findings_json(decision)))
        await fan_out(session, post)  # a held post is in its author's home timeline and nobody else's
        return post
    await publish(runtime, session, post, mentioned)
    return post


async def publish(runtime: Runtime, session: AsyncSession, post: Post, mentioned: list[Actor] | None = None) -> None:
    """What makes a stored post public: poll deadline, reply count, home timelines, notifications, streams
    and its Create queued for delivery. Run once per post: at creation, or when a moderator approves it."""
    if mentioned is None:
        mentioned = await _mentioned(session, post.id)
    await polls.register_deadline(session, post)
    if post.in_reply_to_id is not None:
        await session.execute(update(Post).where(Post.id == post.in_reply_to_id)
                              .values(replies_count=Post.replies_count + 1))
    local_mentioned = [a.id for a in mentioned if a.local and a.actor_type != "Group"]  # a group has no timeline
    await fan_out(session, post, local_mentioned)
    await conversations.record(session, post, local_mentioned)
    await notify(session, "mention", local_mentioned, post.author_id, post.id)
    await notify_subscribers(session, [post.id], local_mentioned)
    if federated(post):
        case = await case_extension(session, post)
        create = create_activity(post, runtime.urls, case=case)
        await group_relay.relay_new_post(runtime, session, group_relay.Posted(
            create, post.author, post.in_reply_to_id, _known(post.id), create["object"].get("name")))
        if (in_group := await _in_group(session, post)) is not None:
            create = create_activity(post, runtime.urls, in_group, case)  # the Create names its group and thread
        await enqueue_activity(session, create, post.author, await audience_of(session, post, mentioned))
    else:
        await group_relay.keep_members_only(runtime, session, post, mentioned)


async def _in_group(session: AsyncSession, post: Post) -> InGroup | None:
    """The group (here, or the remote one of a reply in its thread) a post's activities name as their audience."""
    return await group_threads.in_group(session, post.id) or await remote_threads.in_remote_group(session, post)


def _known(post_id: int):
    async def stored_id() -> int:
        return post_id
    return stored_id


async def own_post(session: AsyncSession, author: Actor, post_id: int) -> Post:
    post = await session.get(Post, post_id)
    if post is None or post.author_id != author.id or post.boost_of_id is not None:
        raise ServiceError("Record not found", Kind.NOT_FOUND)
    return post


async def _pending_edit(session: AsyncSession, post_id: int) -> HeldPost | None:
    return (await session.execute(select(HeldPost).where(HeldPost.post_id == post_id))).scalar_one_or_none()


async def edit_post(runtime: Runtime, session: AsyncSession, author: Actor, post_id: int, new: NewPost, *,
                    reviewed: bool = False) -> Post:
    """Replace text, content warning, sensitivity, media and poll options; keep the old version as a PostEdit.
    Changed poll options start the poll afresh (its votes are dropped), as on Mastodon.

    Under the hold policy an edit with findings of a published post is kept for review and the post is
    returned unchanged (`reviewed`: a moderator approved it, so it is not screened again)."""
    post = await own_post(session, author, post_id)
    raw = new
    new, uploads = await _with_uploads(runtime, session, author, new, post.id)
    if new.media_ids is None:
        new = replace(new, media=tuple(post.attachments or ()))
    _validate(new)
    decision = PhiDecision("allow") if reviewed else await screen(runtime, session, author, new)
    held = await _pending_edit(session, post.id)
    if post.visibility == HELD:  # not yet published: edited in place, still waiting for its moderator
        if held is not None:
            held.findings = findings_json(decision)
    elif decision.action == "hold":
        if held is None:
            held = HeldPost(post_id=post.id, kind="edit", visibility=post.visibility)
            session.add(held)
        held.edit, held.findings, held.created_at = new_post_json(raw), findings_json(decision), utcnow()
        await session.flush()
        return post
    elif held is not None:  # a clean edit replaces the one waiting for review
        await session.delete(held)
    session.add(PostEdit(post_id=post.id, content_html=post.content_html, summary=post.summary,
                         sensitive=post.sensitive, poll=post.poll, created_at=post.edited_at or post.published))
    mentions = await resolve_mentions(runtime, session, new.text)
    targets = {key: MentionTarget(actor_id=a.uri, profile_url=a.url or a.uri, acct=a.acct)
               for key, a in mentions.items()}
    rendered = render_post(new.text, mentions=targets, tag_url=runtime.urls.tag)
    post.content_html, post.source, post.tags = _heading(post) + rendered.html, new.text, rendered.tags
    await cases_edited.take_edit(session, post, new.text)  # the case's fields are the screened text's, not the old
    await _record_confirmation(session, author, post, decision, new)
    post.summary = new.spoiler_text or None
    post.sensitive = new.sensitive or bool(new.spoiler_text)
    post.language = new.language or post.language
    if new.poll is not None and polls.options_changed(post.poll, new.poll.options, new.poll.multiple):
        post.poll = _poll(new.poll)
        if post.visibility != HELD:  # a held poll gets its deadline when published
            await polls.restart(session, post)
    if new.media_ids is not None:
        post.attachments = list(new.media)
        await media_service.detach_others(session, post.id, [u.id for u in uploads])
        await media_service.attach(session, uploads, post.id)
    post.edited_at = utcnow()
    await session.execute(delete(PostTag).where(PostTag.post_id == post.id))
    session.add_all([PostTag(post_id=post.id, tag=t.lower()) for t in dict.fromkeys(extract_hashtags(new.text))])
    await session.flush()
    await stream_events.post_edited(session, post)
    if federated(post):
        mentioned = await _mentioned(session, post.id)
        update_doc = update_activity(post, runtime.urls, await _in_group(session, post),
                                     await case_extension(session, post))
        await enqueue_activity(session, update_doc, author, await audience_of(session, post, mentioned))
        await group_relay.relay_about(runtime, session, update_doc, post.id, author)
    await notify_boosters(session, post)
    return post


def _heading(post: Post) -> str:
    """A Page's title heading, which an edit of its text keeps."""
    if post.object_type != "Page" or not post.content_html.startswith("<p><strong>"):
        return ""
    return post.content_html[:post.content_html.find("</p>") + 4]


async def edit_history(session: AsyncSession, post: Post) -> list[PostEdit]:
    """The earlier versions of a post, oldest first (its current version is the post itself)."""
    query = select(PostEdit).where(PostEdit.post_id == post.id).order_by(PostEdit.id)
    return list((await session.execute(query)).scalars())


async def delete_post(runtime: Runtime, session: AsyncSession, author: Actor, post_id: int) -> Post:
    """Delete a member's post (and its boosts and replies' links); queue the Delete to every server that
    may hold a copy: its audience now, the inboxes its Create went to, remote accounts that boosted,
    replied to or favourited it, and the followers of members who boosted it (who also get an Undo)."""
    post = await own_post(session, author, post_id)
    if federated(post):
        mentioned = await _mentioned(session, post.id)
        boosters_followers = [f for _, followers in await withdraw_boosts(runtime, session, post) for f in followers]
        recipients = (await audience_of(session, post, mentioned) + await _interacted(session, post.id)
                      + boosters_followers)
        remote_group = await remote_threads.reply_group(session, post)
        delete_doc = delete_activity(post, runtime.urls, remote_group and remote_group.uri)
        await enqueue_activity(session, delete_doc, author, recipients, inboxes=await _reached(session, post))
        await group_relay.relay_about(runtime, session, delete_doc, post.id, author)
    if post.in_reply_to_id and post.visibility != HELD:
        await session.execute(update(Post).where(Post.id == post.in_reply_to_id, Post.replies_count > 0)
                              .values(replies_count=Post.replies_count - 1))
    await media_service.detach_others(session, post.id, [])  # kept a day, for "delete and redraft"
    await conversations.post_removed(session, post)
    await stream_events.post_deleted(session, post)
    await session.delete(post)
    await session.flush()
    return post

