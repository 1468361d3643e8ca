"""Shared test set-up.

Async tests run on anyio's asyncio backend (anyio_mode = auto in pyproject.toml). Every test that asks for
`database_url` (directly or through `settings`, `app`, `client`, `session`) runs once on SQLite and once on
PostgreSQL, a throwaway cluster started for the session when PostgreSQL's binaries are present.
CURBSIDE_TEST_REQUIRE_POSTGRES=1 (set by .ci/run) turns their absence into an error; CURBSIDE_TEST_DATABASES=sqlite
limits the run to one engine.

Every fixture more than one test module uses lives here, once; the helpers they are built on live in tests/support
(apps.py, members.py, fake_remote.py, smtp.py).
"""
from __future__ import annotations

import asyncio
import collections
import dataclasses
import itertools
import os
import queue
import shutil
import threading

import httpx
import jinja2
import pytest
from argon2 import PasswordHasher

from federation.keys import generate_rsa_keypair
from server.db.engine import make_engine
from server.db.migrate import migrate
from server.settings import load_settings
from server.web.themes import Themes
from tests.support import fake_remote
from tests.support.apps import client_of, running_app
from tests.support.members import Member, member
from tests.support.postgres import PostgresCluster, find_bindir
from tests.support.smtp import SmtpServer

PG_BINDIR = find_bindir()
_wanted = os.environ.get("CURBSIDE_TEST_DATABASES", "sqlite,postgresql").split(",")
DATABASES = [d for d in _wanted if d == "sqlite" or (d == "postgresql" and PG_BINDIR)]


def pytest_configure(config):
    if os.environ.get("CURBSIDE_TEST_REQUIRE_POSTGRES") == "1" and not PG_BINDIR:
        raise pytest.UsageError("CURBSIDE_TEST_REQUIRE_POSTGRES=1 but no PostgreSQL binaries (initdb) found")


def pytest_collection_modifyitems(config, items):
    """The files that start real processes (a test marked `integration`) first, the rest by their number of tests:
    `make test` hands files out to its workers in this order (pytest-xdist's --dist loadfile, --no-loadscope-reorder),
    and a long file handed out last keeps one worker busy after the other has run out of work."""
    starting = {item.path for item in items if item.get_closest_marker("integration")}
    sizes = collections.Counter(item.path for item in items)
    items.sort(key=lambda item: (item.path not in starting, -sizes[item.path]))


def pytest_report_header(config):
    return f"databases: {', '.join(DATABASES)}" + ("" if PG_BINDIR else " (PostgreSQL binaries not found)")


@pytest.fixture
def anyio_backend():
    return "asyncio"


class _KeyPool:
    """Real RSA-2048 key pairs, the first `size` made on demand and then handed out in turn: any `size`
    accounts made in a row have different keys, and the suite makes thousands of accounts."""

    def __init__(self, size: int = 64):
        self.size, self.keys, self.turn = size, [], itertools.count()

    def __call__(self, bits: int = 2048) -> tuple[str, str]:
        index = next(self.turn) % self.size
        if index == len(self.keys):
            self.keys.append(generate_rsa_keypair(bits))
        return self.keys[index]


class _SharedSslContexts:
    """httpx loads the whole CA bundle into a new SSL context for each client or transport (~0.2 s), and the app
    under test makes two per test (federation/netguard.py: the transport's own, then its pool's): here one context
    per set of arguments and SSL_CERT_* environment is made and shared, as SSL contexts are made to be."""

    def __init__(self, make):
        self.make, self.made = make, {}

    def __call__(self, verify=True, cert=None, trust_env=True):
        if cert is not None or not isinstance(verify, (bool, str)):
            return self.make(verify=verify, cert=cert, trust_env=trust_env)
        key = (verify, trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if key not in self.made:
            self.made[key] = self.make(verify=verify, cert=cert, trust_env=trust_env)
        return self.made[key]


@pytest.fixture(scope="session", autouse=True)
def _cheaper_client_setup():
    """In-process tests start an app (its HTTP client, two SSL contexts) in almost every test."""
    with pytest.MonkeyPatch.context() as patch:
        shared = _SharedSslContexts(httpx.create_ssl_context)
        patch.setattr("httpx.create_ssl_context", shared)
        patch.setattr("httpx._transports.default.create_ssl_context", shared)
        yield


@pytest.fixture(scope="session", autouse=True)
def _cheaper_account_crypto():
    """In-process tests create an account (an RSA key, an Argon2 hash) in almost every test, and that was a
    fifth of the suite's time: here accounts take keys from a pool and passwords are hashed with Argon2id at
    its smallest cost. Real server processes (tests/support/instances.py) keep production costs."""
    with pytest.MonkeyPatch.context() as patch:
        pool = _KeyPool()
        patch.setattr("server.services.accounts.members.generate_rsa_keypair", pool)
        patch.setattr("server.services.federation.instance_actor.generate_rsa_keypair", pool)
        patch.setattr("server.services.accounts.passwords._hasher",
                      PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


class _SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled templates by template file (and, checked by Jinja, its source), shared by every app of the session."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def _cheaper_templates():
    """In-process tests start an app per test, whose theme environments compiled again every template they
    rendered (a fifth of a web test's time): here the compiled code of a template file is made once a session."""
    shared, environment = _SharedTemplateCode(), Themes.environment

    def sharing(themes: Themes, theme: str) -> jinja2.Environment:
        env = environment(themes, theme)
        env.bytecode_cache = shared
        return env
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Themes, "environment", sharing)
        yield


async def _migrate_url(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


class _FreshDatabases:
    """Databases copied from the migrated template by a background thread, a few ahead of the tests that
    take them, so that CREATE DATABASE (~70 ms) runs beside the tests rather than before each."""

    def __init__(self, cluster: PostgresCluster, ahead: int = 3):
        self.cluster, self.ready, self.used = cluster, queue.Queue(maxsize=ahead), queue.Queue()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._fill, name="fresh-databases", daemon=True)
        self.thread.start()
        self.dropper = threading.Thread(target=self._drop, name="used-databases", daemon=True)
        self.dropper.start()

    def _drop(self) -> None:
        """Used databases are dropped beside the tests too: kept, the suite's ~2,000 copies filled the disk with
        gigabytes that the cluster's removal at the end took a minute to delete."""
        while not self.stopping.is_set():
            try:
                name = self.used.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self.cluster.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except Exception:  # a database left behind goes with the cluster at the end
                pass

    def _fill(self) -> None:
        for number in itertools.count(1):
            name = f"test_{number}"
            try:
                self.cluster.psql(f"CREATE DATABASE {name} TEMPLATE template_curbside")
            except Exception as exc:  # handed to the test that takes it, which fails with the reason
                name = exc
            while not self.stopping.is_set():
                try:
                    self.ready.put(name, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if self.stopping.is_set():
                return

    def take(self) -> str:
        name = self.ready.get(timeout=60)
        if isinstance(name, Exception):
            raise name
        return name

    def give_back(self, name: str) -> None:
        self.used.put(name)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        self.dropper.join(timeout=10)


@pytest.fixture(scope="session")
def pg_databases():
    """A throwaway cluster with a migrated template, and fresh copies of it ready for the tests."""
    cluster = PostgresCluster(PG_BINDIR)
    cluster.start()
    fresh = None
    try:
        cluster.psql("CREATE DATABASE template_curbside")
        asyncio.run(_migrate_url(cluster.url("template_curbside")))
        fresh = _FreshDatabases(cluster)
        yield fresh
    finally:
        if fresh is not None:
            fresh.stop()
        cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate_url(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """A fresh, migrated database for this test: a copied SQLite file, or a PostgreSQL database from a template."""
    if request.param == "sqlite":
        path = tmp_path / "curbside.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    fresh = request.getfixturevalue("pg_databases")
    name = fresh.take()
    request.addfinalizer(lambda: fresh.give_back(name))
    return fresh.cluster.url(name)


@pytest.fixture
def settings(tmp_path, database_url):
    return load_settings({
        "CURBSIDE_DATA_DIR": str(tmp_path / "data"),
        "CURBSIDE_DATABASE_URL": database_url,
        "CURBSIDE_DOMAIN": "curbside.test",
        "CURBSIDE_INSTANCE_NAME": "Test Society",
        "CURBSIDE_INPROCESS_WORKER": "false",  # tests drive the queues themselves
    })


@pytest.fixture
async def app(settings):
    async with running_app(settings) as application:
        yield application


@pytest.fixture
async def client(app):
    async with client_of(app) as c:
        yield c


@pytest.fixture
async def session(app):
    async with app.state.sessions() as s:
        yield s


@pytest.fixture
async def alice(app) -> Member:
    """A member with a token to read, write and follow (tests/support/members.py)."""
    return await member(app, "alice")


@pytest.fixture
async def bob(app) -> Member:
    return await member(app, "bob")


@pytest.fixture
def fed_settings(settings):
    """The conftest settings, federating over plain http with loopback addresses."""
    return dataclasses.replace(settings, allow_http=True, allow_private_addresses=True)


@pytest.fixture
async def fed_app(fed_settings):
    async with running_app(fed_settings) as application:
        yield application


@pytest.fixture
async def fed_client(fed_app):
    async with client_of(fed_app) as c:
        yield c


@pytest.fixture
async def remote():
    """A fake remote instance serving on loopback (tests/support/fake_remote.py)."""
    async with fake_remote.serving() as fake:
        yield fake


@pytest.fixture
def smtp():
    """A loopback SMTP server that keeps the messages it receives."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def mail_app(settings, smtp):
    """The test app sending mail to the loopback SMTP server `smtp`."""
    async with running_app(dataclasses.replace(settings, smtp_url=smtp.url, smtp_from="society@curbside.test")) as a:
        yield a


@pytest.fixture
async def mail_client(mail_app):
    async with client_of(mail_app) as c:
        yield c
