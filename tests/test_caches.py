"""One home for caches (server.caches): named, bounded, dropped the same way; no module keeps one of its own."""
from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

from server.api.mastodon.auth import Auth, token_cache
from server.caches import Bounded, Caches

SERVER = Path(__file__).resolve().parent.parent / "server"
MUTABLE = {"dict", "list", "set", "defaultdict", "OrderedDict", "WeakKeyDictionary", "WeakValueDictionary",
           "WeakSet", "deque", "Counter"}


def _called(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return None


def _module_state(tree: ast.Module) -> list[str]:
    """Module-level names bound to an empty container (state to be filled), and unbounded memoised functions."""
    found = []
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        items = getattr(value, "keys", getattr(value, "elts", None))
        empty = isinstance(value, (ast.Dict, ast.List, ast.Set)) and not items
        if value is not None and (empty or _called(value) in MUTABLE):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
        for decorator in getattr(node, "decorator_list", []):
            unbounded = _called(decorator) == "lru_cache" and any(
                k.arg == "maxsize" and isinstance(k.value, ast.Constant) and k.value.value is None
                for k in decorator.keywords)
            bare = isinstance(decorator, (ast.Name, ast.Attribute)) and ast.unparse(decorator).endswith("cache")
            if unbounded or bare:
                found.append(f"line {node.lineno}: @{ast.unparse(decorator)} {node.name}")
    return found


def test_caches_no_module_of_server_keeps_mutable_state_of_its_own():
    """A cache lives in Runtime.caches (named, bounded); a bounded lru_cache of a pure function (a statement built
    once per dialect, a table read from package data) is a constant computed late, and is allowed."""
    offenders = {str(path.relative_to(SERVER.parent)): found for path in sorted(SERVER.rglob("*.py"))
                 if (found := _module_state(ast.parse(path.read_text(), str(path))))}
    assert offenders == {}


def test_caches_the_scan_finds_what_it_forbids():
    source = ("import weakref\nA = {}\nB: dict = dict()\nC = weakref.WeakKeyDictionary()\nD = {'a': 1}\n"
              "@functools.cache\ndef e(): pass\n@lru_cache(maxsize=None)\ndef f(x): pass\n"
              "@lru_cache(maxsize=2)\ndef g(x): pass\n")
    assert [line.split(":")[0] for line in _module_state(ast.parse(source))] == [
        "line 2", "line 3", "line 4", "line 7", "line 9"]


def test_caches_bounded_keeps_at_most_its_size_and_forgets_the_least_recently_used():
    cache = Bounded(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)
    cache.forget("a", "missing")
    assert cache.get("a") is None and len(cache) == 1
    cache.clear()
    assert len(cache) == 0


def test_caches_bounded_entries_expire_after_their_ttl(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = Bounded(10, ttl=5.0)
    cache.put("a", 1)
    now[0] += 4.9
    assert cache.get("a") == 1
    now[0] += 0.2
    assert cache.get("a") is None


def _auth(token_id: int, actor_id: int):
    account = type("Account", (), {"actor_id": actor_id})()
    return Auth(account=account, app=None, scopes=frozenset(), token_id=token_id)


def test_caches_process_events_reach_the_caches_they_make_stale():
    caches = Caches()
    documents, pages = caches.use("post_documents", lambda: Bounded(10)), caches.use("post_pages", lambda: Bounded(10))
    keys, users = caches.use("inbox_keys", lambda: Bounded(10)), caches.use("local_users", lambda: Bounded(10))
    tokens = token_cache(caches)
    for cache in (documents, pages):
        cache.put(1, "edited"), cache.put(2, "kept")
    keys.put("https://x.example/k", "key"), keys.put("https://y.example/k", "key")
    users.put("alice", True)
    tokens.put("t1", _auth(1, 10), tokens.generation)
    tokens.put("t2", _auth(2, 20), tokens.generation)
    caches.saw("status.update", {"post_id": 1})
    caches.saw("keys_changed", {"key_ids": ["https://x.example/k"]})
    caches.saw("access_ended", {"token_ids": [], "actor_ids": [20]})
    assert [(c.get(1), c.get(2)) for c in (documents, pages)] == [(None, "kept")] * 2
    assert (keys.get("https://x.example/k"), keys.get("https://y.example/k")) == (None, "key")
    assert (tokens.get("t1") is not None, tokens.get("t2"), users.get("alice")) == (True, None, None)
    caches.clear()
    assert (documents.get(2), keys.get("https://y.example/k"), tokens.get("t1")) == (None, None, None)


async def test_caches_every_cache_of_a_running_app_is_named_on_its_runtime_and_bounded(app, client):
    for path in ("/.well-known/nodeinfo", "/api/v1/timelines/public", "/.well-known/webfinger?resource=acct:x@y"):
        await client.get(path)
    await app.state.runtime.policies.get()
    named = app.state.runtime.caches.named
    assert {"policies", "webfinger"} <= named.keys()
    assert all(isinstance(cache.size, int) and cache.size > 0 for cache in named.values())
    assert all(callable(cache.forget) and callable(cache.clear) for cache in named.values())


@pytest.mark.parametrize("name", ["tokens", "post_documents", "nothing made yet"])
def test_caches_forget_of_a_cache_never_made_is_harmless(name):
    Caches().forget(name, 1)
