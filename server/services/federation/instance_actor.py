"""The instance actor (an Application at /actor): signs fetches and reports made on the instance's behalf."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from federation.keys import generate_rsa_keypair
from server.db.models import Actor
from server.urls import LocalUrls


async def get_instance_actor(session: AsyncSession, urls: LocalUrls) -> Actor | None:
    return (await session.execute(select(Actor).where(Actor.uri == urls.instance_actor))).scalar_one_or_none()


async def ensure_instance_actor(sessions: async_sessionmaker[AsyncSession], urls: LocalUrls, domain: str) -> Actor:
    """Return the instance actor, creating it (with its key pair) the first time; safe under concurrent starts."""
    async with sessions() as session:
        actor = await get_instance_actor(session, urls)
        if actor:
            return actor
        private_pem, public_pem = generate_rsa_keypair()
        actor = Actor(uri=urls.instance_actor, local=True, username=domain, domain=domain,
                      actor_type="Application", display_name=domain, url=f"{urls.base}/about",
                      inbox=f"{urls.instance_actor}/inbox", outbox=f"{urls.instance_actor}/outbox",
                      shared_inbox=urls.shared_inbox, public_key_id=f"{urls.instance_actor}#main-key",
                      public_key_pem=public_pem, private_key_pem=private_pem, manually_approves=True,
                      discoverable=False)
        session.add(actor)
        try:
            await session.commit()
        except IntegrityError:  # another process created it first
            await session.rollback()
            actor = await get_instance_actor(session, urls)
        return actor
