"""A member deletes their own account, as on Mastodon: an actor `Delete` goes to every server that follows
them, that they follow, that reacted to their posts or that we ever delivered anything of theirs to; and
what they wrote, uploaded, set or told us is removed here.

Two rows stay, emptied: the actor (its keys sign the queued Deletes, and its username is never handed out
again, so nobody can take over the name their followers knew) and the account, disabled, without email or
password (reports, audit logs and revoked credentials keep a subject); its app tokens go and its open
streams close. The caller commits; after the commit the delivery queue wakes and cached copies of the actor go.
"""
from __future__ import annotations

from sqlalchemy import delete, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from federation import activities
from federation.addressing import PUBLIC
from moderation.errors import ServiceError
from server.caches import forget_actor
from server.db.models import (
    Account,
    AccountNote,
    AccountToken,
    Actor,
    Block,
    Bookmark,
    ConversationMute,
    Delivery,
    Endorsement,
    FeaturedTag,
    Follow,
    HomeTimelineEntry,
    IdempotencyKey,
    Like,
    Marker,
    MediaAttachment,
    MemberProfile,
    Mute,
    Notification,
    OAuthCode,
    OAuthToken,
    Pin,
    PollVote,
    Post,
    TagFollow,
    UserDomainBlock,
    VerificationRequest,
    WebSession,
)
from server.db.types import utcnow
from server.i18n import N_
from server.runtime import Runtime
from server.services.federation.delivery import enqueue_activity
from server.services.moderation.domains import purge_actor
from server.services.posts import media
from server.services.posts.polls import recount
from server.services.reading import stream_events
from server.services.verification.attestations_issued import current_verifications
from server.services.verification.audit import audit
from server.services.verification.evidence import delete_evidence

DELETED_REASON = "account deleted"


async def _remote_contacts(session: AsyncSession, actor_id: int) -> list[Actor]:
    """Remote actors following the member or followed by them (in any state), or who replied to, boosted
    or favourited their posts: their servers hold copies."""
    theirs = select(Follow.follower_id).where(Follow.followed_id == actor_id)
    mine = select(Follow.followed_id).where(Follow.follower_id == actor_id)
    posts = select(Post.id).where(Post.author_id == actor_id)
    reacted = union(select(Post.author_id).where(or_(Post.in_reply_to_id.in_(posts), Post.boost_of_id.in_(posts))),
                    select(Like.actor_id).where(Like.post_id.in_(posts)))
    query = select(Actor).where(Actor.local.is_(False), or_(Actor.id.in_(theirs), Actor.id.in_(mine),
                                                            Actor.id.in_(select(reacted.subquery()))))
    return list((await session.execute(query)).scalars())


async def _delivered_to(session: AsyncSession, actor_id: int) -> list[str]:
    """Every inbox anything of the member's was queued to (the deliveries table keeps them a while)."""
    query = select(Delivery.inbox).where(Delivery.signer_id == actor_id).distinct()
    return list((await session.execute(query)).scalars())


async def _check_not_last_admin(session: AsyncSession, account: Account) -> None:
    if account.role != "admin":
        return
    others = await session.scalar(select(func.count()).select_from(Account).where(
        Account.role == "admin", Account.id != account.id, Account.disabled_at.is_(None)))
    if not others:
        raise ServiceError(N_("you are the only admin: make another member admin before deleting your account"))


async def _uploads(runtime: Runtime, session: AsyncSession, actor: Actor) -> list[str]:
    """The storage keys of the member's uploaded files (media, avatar, header), their rows removed."""
    query = select(MediaAttachment).where(MediaAttachment.account_id == actor.id)
    rows = list((await session.execute(query)).scalars())
    keys = [media.storage_key(r.file_key, r.extension, small) for r in rows for small in (False, True)]
    keys += [k for k in (media.storage_key_of_url(runtime, actor.icon_url),
                         media.storage_key_of_url(runtime, actor.header_url)) if k]
    await session.execute(delete(MediaAttachment).where(MediaAttachment.account_id == actor.id))
    return keys


async def _verifications(runtime: Runtime, session: AsyncSession, account: Account) -> None:
    """Verifications in force are revoked (remote servers read the revocation list); requests, with the
    credential numbers and evidence in them, are removed. The audit log keeps its record."""
    now = utcnow()
    for verification in (await current_verifications(session, [account.actor_id], now)).values():
        verification.revoked_at, verification.revoke_reason = now, DELETED_REASON
        await audit(session, "revoked", by=account, subject=account, verification_id=verification.id,
                    reason=DELETED_REASON)
    requests = (await session.execute(select(VerificationRequest).where(
        VerificationRequest.account_id == account.id))).scalars()
    for request in requests:
        await delete_evidence(runtime.storage, request.evidence_path)
    await session.execute(delete(VerificationRequest).where(VerificationRequest.account_id == account.id))


async def _personal(session: AsyncSession, actor_id: int, account_id: int) -> None:
    for model, column in ((Notification, Notification.recipient_id), (HomeTimelineEntry, HomeTimelineEntry.owner_id),
                          (Block, Block.actor_id), (Block, Block.target_id), (Mute, Mute.actor_id),
                          (Mute, Mute.target_id), (UserDomainBlock, UserDomainBlock.actor_id),
                          (Bookmark, Bookmark.actor_id), (Pin, Pin.actor_id), (Marker, Marker.actor_id),
                          (IdempotencyKey, IdempotencyKey.actor_id), (TagFollow, TagFollow.actor_id),
                          (MemberProfile, MemberProfile.actor_id), (ConversationMute, ConversationMute.actor_id),
                          (AccountNote, AccountNote.actor_id), (AccountNote, AccountNote.target_id),
                          (Endorsement, Endorsement.actor_id), (Endorsement, Endorsement.target_id),
                          (FeaturedTag, FeaturedTag.actor_id)):
        await session.execute(delete(model).where(column == actor_id))
    for model, column in ((WebSession, WebSession.account_id), (OAuthToken, OAuthToken.account_id),
                          (OAuthCode, OAuthCode.account_id), (AccountToken, AccountToken.account_id)):
        await session.execute(delete(model).where(column == account_id))


async def _votes(session: AsyncSession, actor_id: int) -> None:
    """Their votes leave the local polls they were in, whose counts follow."""
    voted = select(PollVote.post_id).where(PollVote.actor_id == actor_id)
    polls = list((await session.execute(select(Post).where(Post.id.in_(voted), Post.local.is_(True)))).scalars())
    await session.execute(delete(PollVote).where(PollVote.actor_id == actor_id))
    for post in polls:
        await recount(session, post)


def _empty(actor: Actor, account: Account) -> None:
    actor.display_name, actor.summary, actor.summary_source, actor.fields = "", "", None, []
    actor.icon_url = actor.header_url = None
    actor.discoverable, actor.manually_approves = False, True
    actor.updated_at = utcnow()
    account.disabled_at = utcnow()
    account.email = f"deleted-{account.id}@deleted.invalid"  # unique, and frees the real address
    account.password_hash = account.registration_reason = account.locale = None
    account.role = "member"


async def delete_account(runtime: Runtime, session: AsyncSession, account: Account) -> int:
    """Delete `account` (the caller checked it is theirs to delete); returns the Deletes queued."""
    if account.disabled_at is not None:
        raise ServiceError(N_("this account is disabled"))
    await _check_not_last_admin(session, account)
    actor = account.actor
    announce = activities.delete(f"{actor.uri}#delete", actor.uri, actor.uri, to=[PUBLIC])
    queued = await enqueue_activity(session, announce, actor, await _remote_contacts(session, actor.id),
                                    await _delivered_to(session, actor.id))
    files = await _uploads(runtime, session, actor)
    await purge_actor(session, actor.id)  # posts (keeping others' counts right), likes, follows, notifications
    await _verifications(runtime, session, account)
    await _votes(session, actor.id)
    await _personal(session, actor.id, account.id)
    await stream_events.access_ended(session, actor_ids=[actor.id])
    forget_actor(session, actor.username)
    _empty(actor, account)
    await session.flush()
    await runtime.storage.delete(files)
    return queued
