"""What a running process shares: settings, database, the guarded HTTP client, local URLs, stored files.

The web app (server.app) and the worker (server.jobs.worker) each build one Runtime at start-up and
close it at shutdown; services take it as an argument instead of reading globals.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.caches import CACHES_KEY, Caches
from server.db import effects
from server.db.engine import make_engine, make_sessionmaker
from server.db.inline import InlineSession, make_read_engine
from server.replica import Replica
from server.settings import Settings
from server.storage import Storage, open_storage
from server.urls import LocalUrls
from server.wakeups import Announcer

if TYPE_CHECKING:
    import httpx

    from server.services.moderation.policies import PolicyCache

USER_AGENT = "Curbside/0.1 (+https://github.com/curbside)"


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    urls: LocalUrls
    storage: Storage  # media and evidence (server.storage): the data directory or a bucket
    # Set when work is queued, so an in-process worker wakes at once instead of at its next poll.
    wakeups: dict[str, asyncio.Event] = field(default_factory=lambda: {"inbox": asyncio.Event(),
                                                                          "deliveries": asyncio.Event()})
    # Every cache of the process, by name (server.caches); its sessions carry it, and drop from it after commit.
    caches: Caches = field(default_factory=Caches)
    # Work this process runs in the background, by what it is for (e.g. "media-scan:ID"): started once each.
    tasks: dict[str, asyncio.Task] = field(default_factory=dict)

    # SQLite only: a synchronous read-only engine for hot read paths (server.db.inline)
    read_engine: Engine | None = None
    # PostgreSQL with CURBSIDE_DATABASE_REPLICA_URL: the streaming replica hot read paths may use (server.replica)
    replica: Replica | None = None
    # PostgreSQL: tells the other processes' workers of work queued here (server.wakeups)
    announcer: Announcer | None = None
    _http: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.sessions.configure(info={**(self.sessions.kw.get("info") or {}), CACHES_KEY: self.caches})
        effects.handle(self.sessions, wake=self.queued, forget=lambda named: self.caches.forget(named[0], *named[1]))

    @property
    def http(self) -> httpx.AsyncClient:
        """The guarded HTTP client of the process (federation.netguard), made at first use: most commands of the
        command line fetch nothing, and httpx takes a tenth of their start-up to import."""
        if self._http is None:
            from federation.netguard import make_client

            self._http = make_client(allow_private=self.settings.allow_private_addresses, timeout=10.0,
                                     user_agent=f"{USER_AGENT} {self.settings.domain}")
        return self._http

    def wake(self, queue: str) -> None:
        self.wakeups.setdefault(queue, asyncio.Event()).set()

    def queued(self, queue: str) -> None:
        """Work was committed to `queue`: this process's worker looks at once, and every other process's too."""
        self.wake(queue)
        if self.announcer is not None:
            self.announcer.send(queue)

    @property
    def policies(self) -> "PolicyCache":
        """The domain policies in force (moderation), cached for this process and database."""
        from server.services.moderation.policies import policy_cache

        return policy_cache(self.caches, self.engine)

    def reads(self):
        """A session for reads only: inline on SQLite (see server.db.inline); on PostgreSQL the replica's when
        there is one and the caller has not just written (server.replica), else the usual one."""
        if self.read_engine is not None:
            return self.primary_reads()
        return self.replica_reads()

    def primary_reads(self):
        """A session for reads that must see every commit (authentication): inline on SQLite (the same database
        file, see server.db.inline), the usual one on PostgreSQL (never the replica, whose lag would let an ended
        right through)."""
        if self.read_engine is not None:
            return InlineSession(self.read_engine, self.engine, self.caches)
        return self.sessions()

    def replica_reads(self):
        """A full session for reads only: the replica's when there is one and the caller has not just written,
        else the usual one (for read paths that need more of a session than the inline subset)."""
        if self.replica is not None:
            return self.replica.reads(self.sessions)
        return self.sessions()

    @classmethod
    def create(cls, settings: Settings, *, inline_sqlite: bool = False) -> "Runtime":
        """The runtime of a process; `inline_sqlite` for a command of the command line (server.db.engine)."""
        engine = make_engine(settings.database_url, inline=inline_sqlite)
        read_engine = make_read_engine(settings.database_url) if settings.is_sqlite else None
        replica = (Replica(settings.database_replica_url, settings.database_url,
                           max_lag=settings.database_replica_max_lag)
                   if settings.database_replica_url else None)
        return cls(settings=settings, engine=engine, sessions=make_sessionmaker(engine),
                   urls=LocalUrls(settings.base_url, settings.secret_key), storage=open_storage(settings),
                   read_engine=read_engine, replica=replica,
                   announcer=None if settings.is_sqlite else Announcer(engine))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self.announcer is not None:
            await self.announcer.close()
        await self.engine.dispose()
        if self.read_engine is not None:
            self.read_engine.dispose()
        if self.replica is not None:
            await self.replica.close()
