"""Small factories for test data written straight to the database (no network, no services beyond accounts)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from federation.addressing import address
from federation.keys import generate_rsa_keypair
from federation.signatures import sign_request
from server.db.ids import snowflake
from server.db.models import Account, Actor, Follow, Mention, Post
from server.db.models.posts import stays_local
from server.db.types import utcnow
from server.services.accounts.members import NewAccount, create_account
from server.urls import LocalUrls


@lru_cache(maxsize=1)
def remote_keypair() -> tuple[str, str]:
    """(private PEM, public PEM) shared by every remote test actor: key generation is slow."""
    return generate_rsa_keypair()


async def account(session: AsyncSession, urls: LocalUrls, domain: str, username: str, *, role: str = "member",
                  password: str | None = None, confirmed: bool = True, approved: bool = True, **fields: Any) -> Account:
    """A local account of `role` (email username@example.org) and its actor with its own keys; extra `fields`
    are set on the actor."""
    created = await create_account(session, urls, domain, NewAccount(
        username=username, email=f"{username}@example.org", password=password, role=role, confirmed=confirmed,
        approved=approved))
    for name, value in fields.items():
        setattr(created.actor, name, value)
    await session.flush()
    return created


async def member(session: AsyncSession, urls: LocalUrls, domain: str, username: str, **fields: Any) -> Actor:
    """A local member's actor (see `account`)."""
    return (await account(session, urls, domain, username, **fields)).actor


async def remote_actor(session: AsyncSession, username: str, host: str = "remote.example") -> Actor:
    """A remote actor known and fresh (fetched now), whose key signs with `remote_keypair()`."""
    uri = f"https://{host}/users/{username}"
    actor = Actor(uri=uri, local=False, username=username, domain=host, inbox=f"{uri}/inbox",
                  shared_inbox=f"https://{host}/inbox", followers_url=f"{uri}/followers",
                  public_key_id=f"{uri}#main-key", public_key_pem=remote_keypair()[1], fetched_at=utcnow())
    session.add(actor)
    await session.flush()
    return actor


async def post(session: AsyncSession, urls: LocalUrls, author: Actor, visibility: str = "public", *,
               content: str = "<p>Hello</p>", mentions: list[Actor] = (), in_reply_to: Post | None = None,
               boost_of: Post | None = None, **fields: Any) -> Post:
    """A local post by `author`, addressed as its visibility says, mentioning `mentions`."""
    post_id = fields.pop("id", None) or snowflake()
    uri = urls.boost(author.username, post_id) if boost_of else urls.status(author.username, post_id)
    tags = [{"type": "Mention", "name": f"@{m.acct}", "href": m.uri} for m in mentions]
    to, cc = ([], []) if visibility == "local" else address(
        visibility, followers_url=author.followers_url, mentioned=[m.uri for m in mentions])
    row = Post(id=post_id, uri=uri, url=f"{urls.profile(author.username)}/{post_id}", author_id=author.id,
               local=True, visibility=visibility, content_html=content, tags=tags, to=to, cc=cc,
               in_reply_to_id=in_reply_to.id if in_reply_to else None,
               in_reply_to_uri=in_reply_to.uri if in_reply_to else None,
               boost_of_id=boost_of.id if boost_of else None,
               local_only=fields.pop("local_only", in_reply_to is not None and stays_local(in_reply_to)), **fields)
    session.add(row)
    await session.flush()  # before its mentions: there is no relationship to order the inserts
    session.add_all(Mention(post_id=post_id, actor_id=m.id) for m in mentions)
    await session.flush()
    return row


async def follow(session: AsyncSession, follower: Actor, followed: Actor, state: str = "accepted") -> Follow:
    row = Follow(follower_id=follower.id, followed_id=followed.id, state=state,
                 uri=f"{follower.uri}#follows/{snowflake()}")
    session.add(row)
    await session.flush()
    return row


def signed_headers(url: str, signer: Actor, accept: str = "application/activity+json") -> dict[str, str]:
    """Headers of a GET of `url` signed as the remote test actor `signer`."""
    return sign_request("GET", url, {"Accept": accept}, None, signer.public_key_id, remote_keypair()[0])
