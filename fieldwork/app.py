"""The application factory: settings, extensions, the core and every feature package."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from casestudies.blueprint import feature as places_feature
from casestudies.studies.blueprint import feature as studies_feature
from casestudies.survey.blueprint import feature as survey_feature
from coding.blueprint import feature as coding_feature
from fieldwork import errors, jobs, live, security, templating
from fieldwork.accounts.blueprint import feature as accounts_feature
from fieldwork.background.blueprint import feature as background_feature
from fieldwork.cli import register_commands
from fieldwork.config import load_settings
from fieldwork.database import configure_engine
from fieldwork.extensions import csrf, db, limiter, login_manager, migrate
from fieldwork.features import register_feature
from fieldwork.projects.blueprint import feature as projects_feature
from fieldwork.request import FieldworkRequest
from interviews.blueprint import feature as interviews_feature
from interviews.protection.blueprint import feature as protection_feature
from interviews.recordings.blueprint import feature as recordings_feature
from interviews.transcripts.blueprint import feature as transcripts_feature

ROOT = Path(__file__).resolve().parent.parent

#: Flask's own keys that a test may set beside Fieldwork's settings
FLASK_TEST_KEYS = frozenset({"TESTING", "WTF_CSRF_ENABLED", "RATELIMIT_ENABLED", "SERVER_NAME"})


def default_instance_path() -> Path:
    return Path(os.environ.get("FIELDWORK_INSTANCE_PATH") or ROOT / "instance")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, the core and every feature package."""
    instance_path = default_instance_path()
    instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(
        "fieldwork",
        instance_path=str(instance_path),
        root_path=str(ROOT),
        template_folder="templates",
        static_folder="static",
    )
    test_config = dict(test_config or {})
    flask_keys = {key: test_config.pop(key) for key in FLASK_TEST_KEYS & test_config.keys()}
    app.config.update(load_settings(instance_path, overrides=test_config))
    app.config.update(flask_keys)
    configure_flask(app)
    init_extensions(app)
    register_core(app)
    register_features(app)
    return app


def configure_flask(app: Flask) -> None:
    app.config.update(
        SQLALCHEMY_DATABASE_URI=app.config["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=configure_engine(app.config["DATABASE_URL"]),
        MAX_CONTENT_LENGTH=app.config["MAX_UPLOAD_MB"] * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["SECURE_COOKIES"],
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=app.config["SECURE_COOKIES"],
        REMEMBER_COOKIE_DURATION=timedelta(days=app.config["REMEMBER_DAYS"]),
        RATELIMIT_STORAGE_URI=rate_limit_storage(app.config),
        RATELIMIT_HEADERS_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,
    )
    Path(app.config["FILES_DIR"]).mkdir(parents=True, exist_ok=True)
    app.request_class = FieldworkRequest
    trust_proxies(app, app.config["PROXY_COUNT"])


def rate_limit_storage(settings: dict[str, Any]) -> str:
    """Where the login rate limit counts: shared by every web process through Redis when
    Redis is configured, unless another storage is named."""
    return settings["RATELIMIT_STORAGE_URL"] or settings["REDIS_URL"] or "memory://"


def trust_proxies(app: Flask, count: int) -> None:
    """Behind a reverse proxy, take the client's address (which login attempts are counted
    by) and the scheme from the headers the proxy sets, and from no one else."""
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    jobs.configure_queue(app)
    live.init_app(app)


def register_core(app: Flask) -> None:
    register_feature(app, accounts_feature)
    register_feature(app, projects_feature)
    register_feature(app, background_feature)
    register_commands(app)
    errors.register_error_pages(app)
    security.register_headers(app)
    templating.register_helpers(app)


def register_features(app: Flask) -> None:
    """The one place in the core that names the feature packages."""
    register_feature(app, places_feature)
    register_feature(app, studies_feature)
    register_feature(app, survey_feature)
    register_feature(app, interviews_feature)
    register_feature(app, recordings_feature)
    register_feature(app, transcripts_feature)
    register_feature(app, protection_feature)
    register_feature(app, coding_feature)
