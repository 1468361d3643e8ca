"""Settings: read once from the environment (and an optional TOML file), validated, frozen.

Every setting is an environment variable named CURBSIDE_<NAME>. A TOML file named by CURBSIDE_CONFIG
may give the same settings as lowercase keys without the prefix; the environment wins over the file.
A wrong value raises SettingsError naming the setting, which the CLI prints as one line (exit 2).
"""
from __future__ import annotations

import os
import re
import secrets
import tempfile
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping

from server.i18n.catalogs import available_locales, is_available

PREFIX = "CURBSIDE_"
REGISTRATION_MODES = ("closed", "invite", "approval", "open")
PHI_POLICIES = ("off", "warn", "hold", "block")
LOG_FORMATS = ("text", "json")
MEDIA_STORAGES = ("local", "s3")
VERIFICATION_CHECKERS = ("nppes",)  # online credential checkers (server.services.verification.online_checks)
_DOMAIN = re.compile(r"^(?=.{1,253}(:|$))([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)"
                     r"(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$")
_THEME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(Exception):
    """A setting has a wrong value; str() is one line naming the setting and the reason."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{PREFIX}{name}: {reason}")
        self.name = PREFIX + name
        self.reason = reason


@dataclass(frozen=True)
class Settings:
    domain: str = "localhost:8000"
    database_url: str = ""
    database_replica_url: str = ""  # PostgreSQL streaming replica for read-heavy paths (server.replica); empty: none
    database_replica_max_lag: float = 5.0  # seconds the replica may lag before its reads go to the primary
    data_dir: Path = Path("data")
    secret_key: str = ""
    vapid_key: str = field(default="", repr=False)  # the VAPID private key (PEM), made once, kept in data_dir
    instance_name: str = "Curbside"
    registration_mode: str = "approval"
    theme: str = "default"
    default_locale: str = "en"  # the language of visitors' pages and members' who chose none (server.i18n)
    allow_http: bool = False
    allow_private_addresses: bool = False
    authorized_fetch: bool = False
    phi_policy: str = "warn"
    phi_model: bool = False  # the privacy guard's statistical second signal (moderation/phi/model.py)
    log_format: str = "text"
    log_level: str = "INFO"
    inprocess_worker: bool = True
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 40_000_000
    smtp_url: str = ""
    smtp_from: str = ""
    verification_valid_days: int = 365
    evidence_retention_days: int = 0
    api_rate_limit: int = 300  # client-API requests per token (or IP) per 5 minutes; 0 turns limits off
    verification_checkers: tuple[str, ...] = ()  # none by default: no credential leaves the instance
    nppes_url: str = "https://npiregistry.cms.hhs.gov/api/"
    verification_check_timeout: int = 5  # seconds per online check
    media_storage: str = "local"  # where media and evidence live (server.storage): the data directory, or S3
    s3_endpoint: str = ""  # empty: AWS S3 itself; else any S3-compatible store (MinIO, Garage, Ceph RGW, R2)
    s3_bucket: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""  # both empty: boto3's own chain (environment, instance role)
    s3_secret_access_key: str = field(default="", repr=False)
    media_public_url: str = ""  # a CDN or bucket website serving the bucket's media/ prefix; empty: the app serves
    metrics_token: str = ""  # /metrics answers 404 without it, and 401 to a request without it as bearer token
    ready_max_queue_age: int = 300  # seconds a due inbox job or delivery may wait before /readyz says 503
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def scheme(self) -> str:
        return "http" if self.allow_http else "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(name, f"expected true or false, got {raw!r}")


def _choice(choices: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise SettingsError(name, f"must be one of {', '.join(choices)}; got {raw!r}")
        return value
    return parse


def _domain(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if "://" in value or "/" in value:
        raise SettingsError(name, f"give a bare host name (optionally with :port), not a URL; got {raw!r}")
    if not _DOMAIN.match(value):
        raise SettingsError(name, f"not a valid host name: {raw!r}")
    if ":" in value and not 0 < int(value.rsplit(":", 1)[1]) < 65536:
        raise SettingsError(name, f"port out of range in {raw!r}")
    return value


def _database_url(name: str, raw: str) -> str:
    value = raw.strip()
    scheme, sep, rest = value.partition("://")
    if not sep:
        raise SettingsError(name, f"not a database URL: {raw!r} (use sqlite+aiosqlite:///PATH or postgresql+asyncpg://...)")
    aliases = {"sqlite": "sqlite+aiosqlite", "sqlite+aiosqlite": "sqlite+aiosqlite",
               "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg",
               "postgresql+asyncpg": "postgresql+asyncpg"}
    if scheme not in aliases:
        raise SettingsError(name, f"unsupported database {scheme!r} (use sqlite+aiosqlite:///PATH or postgresql+asyncpg://...)")
    if aliases[scheme].startswith("sqlite") and not rest.startswith("/"):
        raise SettingsError(name, "a SQLite URL needs a path: sqlite+aiosqlite:///relative.db or ////absolute.db")
    return f"{aliases[scheme]}://{rest}"


def _theme(name: str, raw: str) -> str:
    value = raw.strip()
    if not _THEME.match(value):
        raise SettingsError(name, f"a theme is a folder name of lowercase letters, digits, - and _; got {raw!r}")
    return value


def _locale(name: str, raw: str) -> str:
    value = raw.strip()
    if not is_available(value):
        raise SettingsError(name, f"no catalog for {value!r}; one of {', '.join(available_locales())}")
    return value


def _text(limit: int) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        value = raw.strip()
        if not value or len(value) > limit:
            raise SettingsError(name, f"must be 1 to {limit} characters")
        return value
    return parse


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected a whole number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(name, "must be greater than zero")
    return value


def _positive_float(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(name, f"expected a number, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError(name, "must be a number greater than zero")
    return value


def _smtp_url(name: str, raw: str) -> str:
    """smtp://[user:pass@]host[:port][?starttls=true] or smtps://... (TLS from the first byte)."""
    value = raw.strip()
    if not value:
        return ""
    scheme, sep, rest = value.partition("://")
    host = rest.rsplit("@", 1)[-1].split("/", 1)[0].split("?", 1)[0]
    if not sep or scheme.lower() not in ("smtp", "smtps") or not host:
        raise SettingsError(name, "expected smtp://[user:pass@]host[:port][?starttls=true] or smtps://...")
    return value


def _email(name: str, raw: str) -> str:
    value = raw.strip()
    if value and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+|[^<>]*<[^@\s<>]+@[^@\s<>]+>", value):
        raise SettingsError(name, f"not an email address: {raw!r}")
    return value


def _non_negative_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected a whole number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(name, "must be zero or more")
    return value


def _names(choices: tuple[str, ...]) -> Callable[[str, str], tuple[str, ...]]:
    """A comma-separated list of some of `choices` (empty: none)."""
    def parse(name: str, raw: str) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(v.strip().lower() for v in raw.split(",") if v.strip()))
        unknown = [v for v in values if v not in choices]
        if unknown:
            raise SettingsError(name, f"unknown {', '.join(unknown)}; known: {', '.join(choices)}")
        return values
    return parse


def _http_url(name: str, raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise SettingsError(name, f"expected an http(s) URL without query, got {raw!r}")
    return value


def _optional_http_url(name: str, raw: str) -> str:
    return _http_url(name, raw).rstrip("/") if raw.strip() else ""


def _plain(name: str, raw: str) -> str:
    return raw.strip()


def _log_level(name: str, raw: str) -> str:
    value = raw.strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(name, f"must be DEBUG, INFO, WARNING or ERROR; got {raw!r}")
    return value


_PARSERS: dict[str, Callable[[str, str], object]] = {
    "DOMAIN": _domain,
    "DATABASE_URL": _database_url,
    "DATABASE_REPLICA_URL": _database_url,
    "DATABASE_REPLICA_MAX_LAG": _positive_float,
    "DATA_DIR": lambda name, raw: Path(raw.strip() or "data"),
    "SECRET_KEY": _text(512),
    "INSTANCE_NAME": _text(100),
    "REGISTRATION_MODE": _choice(REGISTRATION_MODES),
    "THEME": _theme,
    "DEFAULT_LOCALE": _locale,
    "ALLOW_HTTP": _bool,
    "ALLOW_PRIVATE_ADDRESSES": _bool,
    "AUTHORIZED_FETCH": _bool,
    "PHI_POLICY": _choice(PHI_POLICIES),
    "PHI_MODEL": _bool,
    "LOG_FORMAT": _choice(LOG_FORMATS),
    "LOG_LEVEL": _log_level,
    "INPROCESS_WORKER": _bool,
    "MAX_BODY_BYTES": _positive_int,
    "MAX_UPLOAD_BYTES": _positive_int,
    "SMTP_URL": _smtp_url,
    "SMTP_FROM": _email,
    "VERIFICATION_VALID_DAYS": _positive_int,
    "EVIDENCE_RETENTION_DAYS": _non_negative_int,
    "API_RATE_LIMIT": _non_negative_int,
    "VERIFICATION_CHECKERS": _names(VERIFICATION_CHECKERS),
    "NPPES_URL": _http_url,
    "VERIFICATION_CHECK_TIMEOUT": _positive_int,
    "MEDIA_STORAGE": _choice(MEDIA_STORAGES),
    "S3_ENDPOINT": _optional_http_url,
    "S3_BUCKET": _plain,
    "S3_REGION": _plain,
    "S3_ACCESS_KEY_ID": _plain,
    "S3_SECRET_ACCESS_KEY": _plain,
    "MEDIA_PUBLIC_URL": _optional_http_url,
    "READY_MAX_QUEUE_AGE": _positive_int,
    "METRICS_TOKEN": _text(512),
}


def _read_toml(path: str) -> dict[str, str]:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise SettingsError("CONFIG", f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError("CONFIG", f"{path} is not valid TOML: {exc}") from None
    values = {}
    for key, value in data.items():
        name = key.upper()
        if name not in _PARSERS:
            raise SettingsError("CONFIG", f"{path}: unknown setting {key!r}")
        values[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def _kept(path: Path, make: Callable[[], str]) -> str:
    """What the file at `path` holds, written (mode 0600) with `make()` on first run. Two processes starting at
    once agree: the file appears whole, once (a link to a finished temporary file), and the second reads it."""
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(make().strip() + "\n")
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def _secret_key(data_dir: Path) -> str:
    """Read the persisted secret key, creating it on first run."""
    return _kept(data_dir / "secret_key", lambda: secrets.token_urlsafe(48))


def _vapid_key(data_dir: Path) -> str:
    """The instance's VAPID private key (server.services.push), created on first run."""
    def make() -> str:
        from federation.vapid import generate_vapid_key  # cryptography's key serialisation: only to make one

        return generate_vapid_key().decode()
    return _kept(data_dir / "vapid_key.pem", make)


def _check_s3(settings: Settings) -> None:
    if settings.media_storage == "s3" and not settings.s3_bucket:
        raise SettingsError("S3_BUCKET", "required when CURBSIDE_MEDIA_STORAGE=s3")
    if bool(settings.s3_access_key_id) != bool(settings.s3_secret_access_key):
        raise SettingsError("S3_SECRET_ACCESS_KEY", "give both the access key id and the secret access key, or neither")


def _check_replica(settings: Settings) -> None:
    if settings.database_replica_url and not settings.database_replica_url.startswith("postgresql"):
        raise SettingsError("DATABASE_REPLICA_URL", "a replica is a PostgreSQL streaming replica (postgresql+asyncpg://...)")
    if settings.database_replica_url and not settings.database_url.startswith("postgresql"):
        raise SettingsError("DATABASE_REPLICA_URL", "needs CURBSIDE_DATABASE_URL on PostgreSQL (its primary)")


def load_settings(environ: Mapping[str, str] | None = None, *, create_dirs: bool = True) -> Settings:
    """Build the frozen Settings from the environment (and CURBSIDE_CONFIG's TOML file)."""
    env = os.environ if environ is None else environ
    raw: dict[str, str] = {}
    if env.get(PREFIX + "CONFIG"):
        raw.update(_read_toml(env[PREFIX + "CONFIG"]))
    raw.update({k[len(PREFIX):]: v for k, v in env.items() if k.startswith(PREFIX) and k[len(PREFIX):] in _PARSERS})
    values = {name.lower(): _PARSERS[name](name, value) for name, value in raw.items()}
    settings = Settings(**values)
    _check_s3(settings)
    _check_replica(settings)
    data_dir = settings.data_dir.resolve()
    if create_dirs:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            (data_dir / "media").mkdir(exist_ok=True)
        except OSError as exc:
            raise SettingsError("DATA_DIR", f"cannot create {data_dir}: {exc.strerror}") from None
    elif not data_dir.is_dir():
        raise SettingsError("DATA_DIR", f"{data_dir} is not a directory")
    updates: dict[str, object] = {"data_dir": data_dir}
    if not settings.database_url:
        updates["database_url"] = f"sqlite+aiosqlite:///{data_dir / 'curbside.db'}"
    if not settings.secret_key:
        try:
            updates["secret_key"] = _secret_key(data_dir)
        except OSError as exc:
            raise SettingsError("SECRET_KEY", f"not set and cannot be stored in {data_dir}: {exc.strerror}") from None
    try:
        updates["vapid_key"] = _vapid_key(data_dir)
    except OSError as exc:
        raise SettingsError("DATA_DIR", f"cannot store the VAPID key in {data_dir}: {exc.strerror}") from None
    return replace(settings, **updates)
