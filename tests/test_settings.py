
import pytest

from server.settings import SettingsError, load_settings


def env(tmp_path, **values):
    return {"CURBSIDE_DATA_DIR": str(tmp_path / "data"), **{f"CURBSIDE_{k}": v for k, v in values.items()}}


def test_settings_defaults_are_sqlite_in_data_dir_and_https(tmp_path):
    s = load_settings(env(tmp_path))
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'curbside.db'}"
    assert s.base_url == "https://localhost:8000"
    assert s.registration_mode == "approval" and s.phi_policy == "warn" and s.theme == "default"
    assert not s.allow_http and not s.allow_private_addresses
    assert (tmp_path / "data" / "media").is_dir()


def test_settings_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = load_settings(env(tmp_path)).secret_key
    second = load_settings(env(tmp_path)).secret_key
    assert first == second and len(first) >= 40
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_settings_explicit_secret_key_is_used(tmp_path):
    assert load_settings(env(tmp_path, SECRET_KEY="k" * 40)).secret_key == "k" * 40
    assert not (tmp_path / "data" / "secret_key").exists()


def test_settings_domain_may_carry_a_port_and_allow_http_changes_scheme(tmp_path):
    s = load_settings(env(tmp_path, DOMAIN="LocalHost:8001", ALLOW_HTTP="yes"))
    assert s.domain == "localhost:8001" and s.base_url == "http://localhost:8001"


@pytest.mark.parametrize("name,value,reason", [
    ("DOMAIN", "https://x.org", "bare host name"),
    ("DOMAIN", "bad_domain!", "not a valid host name"),
    ("DOMAIN", "x.org:99999", "port out of range"),
    ("MEDIA_STORAGE", "ftp", "must be one of local, s3"),
    ("S3_ENDPOINT", "minio:9000", "expected an http(s) URL"),
    ("DATABASE_URL", "bogus://x", "unsupported database 'bogus'"),
    ("DATABASE_URL", "just-text", "not a database URL"),
    ("REGISTRATION_MODE", "sometimes", "must be one of closed, invite, approval, open"),
    ("ALLOW_HTTP", "maybe", "expected true or false"),
    ("PHI_POLICY", "strict", "must be one of off, warn, hold, block"),
    ("THEME", "../etc", "a theme is a folder name"),
    ("MAX_BODY_BYTES", "-5", "greater than zero"),
    ("INSTANCE_NAME", "   ", "1 to 100 characters"),
])
def test_settings_wrong_value_names_the_setting(tmp_path, name, value, reason):
    with pytest.raises(SettingsError) as err:
        load_settings(env(tmp_path, **{name: value}))
    message = str(err.value)
    assert message.startswith(f"CURBSIDE_{name}: ") and reason in message and "\n" not in message


def test_settings_database_url_aliases_pick_async_drivers(tmp_path):
    assert load_settings(env(tmp_path, DATABASE_URL="postgresql://u@h/db")).database_url == "postgresql+asyncpg://u@h/db"
    assert load_settings(env(tmp_path, DATABASE_URL="sqlite:///x.db")).database_url == "sqlite+aiosqlite:///x.db"


def test_settings_toml_file_feeds_settings_and_environment_wins(tmp_path):
    config = tmp_path / "curbside.toml"
    config.write_text('instance_name = "Cardiology Society"\ntheme = "clinic"\nallow_http = true\n')
    s = load_settings({**env(tmp_path, CONFIG=str(config)), "CURBSIDE_THEME": "default"})
    assert s.instance_name == "Cardiology Society" and s.theme == "default" and s.allow_http


def test_settings_toml_with_unknown_key_or_bad_syntax_is_refused(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('nme = "x"\n')
    with pytest.raises(SettingsError, match="unknown setting 'nme'"):
        load_settings(env(tmp_path, CONFIG=str(config)))
    config.write_text('name = \n')
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(env(tmp_path, CONFIG=str(config)))


def test_settings_unwritable_data_dir_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SettingsError, match="CURBSIDE_DATA_DIR: cannot create"):
        load_settings({"CURBSIDE_DATA_DIR": str(blocker / "sub")})


def test_settings_media_storage_is_local_unless_s3_with_a_bucket(tmp_path):
    assert load_settings(env(tmp_path)).media_storage == "local"
    with pytest.raises(SettingsError, match="CURBSIDE_S3_BUCKET: required"):
        load_settings(env(tmp_path, MEDIA_STORAGE="s3"))
    with pytest.raises(SettingsError, match="CURBSIDE_S3_SECRET_ACCESS_KEY: give both"):
        load_settings(env(tmp_path, MEDIA_STORAGE="s3", S3_BUCKET="media", S3_ACCESS_KEY_ID="id"))
    s = load_settings(env(tmp_path, MEDIA_STORAGE="S3", S3_BUCKET="media", S3_ENDPOINT="http://127.0.0.1:9000/",
                          MEDIA_PUBLIC_URL="https://cdn.example/", S3_ACCESS_KEY_ID="id",
                          S3_SECRET_ACCESS_KEY="hunter2"))
    assert (s.media_storage, s.s3_endpoint, s.media_public_url) == ("s3", "http://127.0.0.1:9000", "https://cdn.example")
    assert "hunter2" not in repr(s)
