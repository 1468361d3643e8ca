"""What every command shares: the one error, printing, who is acting, and a database brought up to date."""
from __future__ import annotations

import asyncio
import getpass
import logging
import os
from pathlib import Path
from typing import Awaitable, Callable, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from server.db.migrate import head_revision, migrate
from server.runtime import Runtime
from server.settings import Settings

T = TypeVar("T")
log = logging.getLogger("curbside")


class CliError(Exception):
    """A command that cannot go on: `message` as one line on stderr, and `exit_code` (1: refused, or the
    database unreachable; 2: a wrong setting or argument). Printed by server.cli.main.main."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def say(message: str = "") -> None:
    print(message, flush=True)


def via() -> str:
    """Who acts, for the audit log: the system user at the shell."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def share_metrics(data_dir: Path) -> None:
    """Metrics shared by this process and those it starts, through files under the data directory (unless
    PROMETHEUS_MULTIPROC_DIR is set already: it must be before prometheus_client is imported, so it is done here and
    not in server.metrics); the files of processes that have ended are removed."""
    directory = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(data_dir / "prometheus")))
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*_*.db"):
        pid = path.stem.rsplit("_", 1)[1]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def redact(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


def unreachable(settings: Settings, exc: Exception) -> CliError:
    return CliError(f"database {redact(settings.database_url)} unreachable: {type(exc).__name__}")


def require_current_schema(revision: str | None) -> None:
    if revision != head_revision():
        raise CliError(f"database schema at {revision or 'nothing'}, code expects {head_revision()}: "
                       "run `curbside migrate`")


def warn_development(settings: Settings) -> None:
    if settings.allow_http:
        log.warning("DEVELOPMENT SETTING ON: CURBSIDE_ALLOW_HTTP - plain-http URLs for this and remote instances")
    if settings.allow_private_addresses:
        log.warning("DEVELOPMENT SETTING ON: CURBSIDE_ALLOW_PRIVATE_ADDRESSES - "
                    "federating with loopback/private addresses")


async def _migrate(settings: Settings, runtime: Runtime, loud: bool) -> None:
    try:
        applied = await migrate(runtime.engine, progress=say if loud else (lambda m: None))
    except Exception as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        raise CliError(f"database {redact(settings.database_url)} unreachable or migration failed: "
                       f"{type(exc).__name__}: {first_line}") from exc
    if loud:
        say(f"database is up to date ({len(applied)} migration(s) applied)")


def run(settings: Settings, work: Callable[[Runtime], Awaitable[T]], *, loud: bool = False) -> T:
    """Bring the database up to date (`loud`: printing each step), then run `work` with a Runtime of this
    process, closed afterwards. A database that cannot be reached or migrated is a CliError."""
    async def main() -> T:
        runtime = Runtime.create(settings, inline_sqlite=True)  # a command's loop serves no requests
        try:
            await _migrate(settings, runtime, loud)
            return await work(runtime)
        finally:
            await runtime.close()
    return asyncio.run(main())


def run_in_session(settings: Settings, work: Callable[[Runtime, AsyncSession], Awaitable[T]]) -> T:
    """`run` with one session, committed once `work` returns."""
    async def in_session(runtime: Runtime) -> T:
        async with runtime.sessions() as session:
            result = await work(runtime, session)
            await session.commit()
            return result
    return run(settings, in_session)


def run_and_mail(settings: Settings, work: Callable[[AsyncSession, list], Awaitable[T]]) -> T:
    """`run_in_session` for `work(session, mail)`; the mail it appends is sent once the session is committed."""
    return run_with_runtime_and_mail(settings, lambda runtime, session, mail: work(session, mail))


def run_with_runtime_and_mail(settings: Settings, work: Callable[[Runtime, AsyncSession, list], Awaitable[T]]) -> T:
    """`run_and_mail` for work that also needs the process's Runtime (its stored files, say)."""
    from server.services.instance.mail import send_quietly

    async def in_session(runtime: Runtime) -> T:
        mail: list = []
        async with runtime.sessions() as session:
            result = await work(runtime, session, mail)
            await session.commit()
        await send_quietly(settings, mail)
        return result
    return run(settings, in_session)


async def account_named(session: AsyncSession, settings: Settings, username: str):
    """The local account USERNAME (also written @USERNAME or @USERNAME@DOMAIN), else a CliError."""
    from server.services.accounts.members import find_local_account

    account = await find_local_account(session, settings.domain, username.lstrip("@").split("@")[0])
    if account is None:
        raise CliError(f"no local account named {username!r}")
    return account
