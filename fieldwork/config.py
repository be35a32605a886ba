"""Configuration keys with their defaults, read from FIELDWORK_* variables and the instance file.

Layers, later ones winning: the defaults below, `instance/fieldwork.toml`, environment
variables `FIELDWORK_<KEY>`, then a test's overrides. An unknown key is an error, so a
misspelt setting never passes silently.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration key or value that Fieldwork cannot use."""


@dataclass(frozen=True)
class Setting:
    default: Any
    kind: type
    help: str
    #: the only values allowed, when the setting is one of a few words
    choices: tuple[str, ...] = ()


SETTINGS: dict[str, Setting] = {
    "DATABASE_URL": Setting(
        "", str, "SQLAlchemy URL; empty means SQLite at instance/fieldwork.db"
    ),
    "REDIS_URL": Setting(
        "", str, "Redis URL for the job queue; empty means SQLite queue and an embedded worker"
    ),
    "QUEUE_NAME": Setting(
        "fieldwork", str, "Job queue name; one per instance sharing a Redis database"
    ),
    "SECRET_KEY": Setting(
        "", str, "Signs sessions; empty means generated into instance/secret_key"
    ),
    "FILES_DIR": Setting("", str, "Where uploaded files live; empty means instance/files"),
    "MAX_UPLOAD_MB": Setting(4096, int, "Largest accepted upload, in megabytes"),
    "LOGIN_RATE_LIMIT": Setting("10 per minute", str, "Login attempts allowed per address"),
    "RATELIMIT_STORAGE_URL": Setting(
        "", str, "Where the login rate limit counts; empty means Redis when set, else memory"
    ),
    "LOGIN_ACCOUNT_LIMIT": Setting(
        5, int, "Failed sign-ins to one account within LOGIN_LOCK_MINUTES that pause it"
    ),
    "LOGIN_ADDRESS_LIMIT": Setting(
        20, int, "Failed sign-ins from one address within LOGIN_LOCK_MINUTES that pause it"
    ),
    "LOGIN_LOCK_MINUTES": Setting(15, int, "How long failed sign-ins count, and a pause lasts"),
    "SESSION_IDLE_MINUTES": Setting(
        120, int, "A sign-in not kept (no 'keep me signed in') ends after this long unused"
    ),
    "REMEMBER_DAYS": Setting(30, int, "How long 'keep me signed in' lasts"),
    "TWO_FACTOR_REQUIRED": Setting(
        "off", str, "Who must use two-step sign-in: off, leads_and_admins or everyone",
        choices=("off", "leads_and_admins", "everyone"),
    ),
    "PROXY_COUNT": Setting(
        0, int, "Reverse proxies in front of the app whose X-Forwarded-* headers are trusted"
    ),
    "SECURE_COOKIES": Setting(False, bool, "Send cookies over HTTPS only (turn on behind HTTPS)"),
    "JOBS_IMMEDIATE": Setting(False, bool, "Run background jobs inside the request (tests only)"),
    "WORKER_THREADS": Setting(1, int, "Jobs run at once by each worker process"),
    "LIVE_STREAMS": Setting(
        8, int, "Live-update streams each web process keeps open at once (each holds a thread); "
                "pages beyond it, and every page on single-threaded servers, poll instead"
    ),
    "LIVE_STREAM_SECONDS": Setting(
        20, int, "How long one live-update stream lasts before the browser reconnects"
    ),
    "JOB_TRANSACTION_WARN_SECONDS": Setting(
        5, int, "A job's database transaction open longer than this is logged as a warning"
    ),
    "DEFAULT_TIMEZONE": Setting("Europe/Brussels", str, "Time zone for users who set none"),
    "ASR_MODELS_DIR": Setting("", str, "Whisper model folder; empty means instance/asr-models"),
    "EXPORT_JOB_THRESHOLD": Setting(
        5000, int, "Exports of more rows than this, and partnership files of more rows to "
                   "check, are handled in the background, as a job"
    ),
    "EXPORT_RETENTION_DAYS": Setting(
        7, int, "Files made by background exports are deleted this many days after they are ready"
    ),
    "REFI_FILE_MB": Setting(
        200, int, "Largest REFI-QDA file read into memory, in megabytes once unpacked: a .qdc, "
                  "or the project's XML or one source's text inside a .qdpx"
    ),
    "REFI_TEXT_MB": Setting(
        512, int, "The project's XML and all its texts inside one .qdpx together, in megabytes "
                  "once unpacked (what an import holds in memory)"
    ),
    "REFI_UNPACKED_MB": Setting(
        8192, int, "All that is unpacked from one .qdpx, in megabytes, recordings included (each "
                   "recording may be as large as MAX_UPLOAD_MB)"
    ),
    "REFI_XML_ELEMENTS": Setting(
        3_000_000, int, "Most XML elements in one REFI-QDA file (a coding takes about three)"
    ),
    "SUGGESTION_MODEL": Setting(
        "ngrams+sentences", str, "Code suggestions: 'ngrams+sentences', Fieldwork's classifier "
        "with a packaged multilingual sentence encoder (better on new wording; about 3 s for "
        "20,000 words, 250 MB more in the worker), or 'ngrams' alone (about 0.2 s)",
        choices=("ngrams", "ngrams+sentences")),
}

ENV_PREFIX = "FIELDWORK_"


def parse_value(key: str, raw: Any) -> Any:
    """Convert a raw value from a file or the environment to the setting's type."""
    kind = SETTINGS[key].kind
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{key} must be true or false, not {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{key} must be a whole number, not {raw!r}") from None
    text = str(raw)
    choices = SETTINGS[key].choices
    if choices and text not in choices:
        raise ConfigError(f"{key} must be one of {', '.join(choices)}, not {raw!r}")
    return text


def check_keys(keys: set[str], origin: str) -> None:
    unknown = sorted(keys - SETTINGS.keys())
    if unknown:
        raise ConfigError(f"Unknown setting(s) in {origin}: {', '.join(unknown)}")


def read_instance_file(instance_path: Path) -> dict[str, Any]:
    path = instance_path / "fieldwork.toml"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        try:
            data = {key.upper(): value for key, value in tomllib.load(handle).items()}
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path} is not valid TOML: {error}") from None
    check_keys(set(data), str(path))
    return data


def read_environment(environ: dict[str, str]) -> dict[str, str]:
    data = {
        name[len(ENV_PREFIX) :]: value
        for name, value in environ.items()
        if name.startswith(ENV_PREFIX) and name != "FIELDWORK_INSTANCE_PATH"
    }
    check_keys(set(data), "the environment (FIELDWORK_* variables)")
    return data


def load_settings(
    instance_path: Path, environ: dict[str, str] | None = None, overrides: dict | None = None
) -> dict[str, Any]:
    """Return every setting, resolved through defaults, instance file, environment, overrides."""
    merged: dict[str, Any] = {key: setting.default for key, setting in SETTINGS.items()}
    merged.update(read_instance_file(instance_path))
    merged.update(read_environment(dict(os.environ if environ is None else environ)))
    overrides = {key.upper(): value for key, value in (overrides or {}).items()}
    check_keys(set(overrides), "the test configuration")
    merged.update(overrides)
    settings = {key: parse_value(key, value) for key, value in merged.items()}
    fill_instance_defaults(settings, instance_path)
    return settings


def fill_instance_defaults(settings: dict[str, Any], instance_path: Path) -> None:
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{instance_path / 'fieldwork.db'}"
    if not settings["FILES_DIR"]:
        settings["FILES_DIR"] = str(instance_path / "files")
    if not settings["ASR_MODELS_DIR"]:
        settings["ASR_MODELS_DIR"] = str(instance_path / "asr-models")
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = instance_secret_key(instance_path)


def instance_secret_key(instance_path: Path) -> str:
    """Read the secret key kept in the instance folder, creating it on first start."""
    path = instance_path / "secret_key"
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_text().strip()
