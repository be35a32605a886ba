from pathlib import Path

import pytest

from fieldwork.config import ConfigError, load_settings


def test_defaults_live_in_the_instance_folder(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'fieldwork.db'}"
    assert settings["FILES_DIR"] == str(tmp_path / "files")
    assert len(settings["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_secret_key_is_kept_across_starts(tmp_path: Path) -> None:
    first = load_settings(tmp_path, environ={})["SECRET_KEY"]
    assert load_settings(tmp_path, environ={})["SECRET_KEY"] == first


def test_environment_wins_over_instance_file(tmp_path: Path) -> None:
    (tmp_path / "fieldwork.toml").write_text('max_upload_mb = 100\nsecure_cookies = true\n')
    settings = load_settings(tmp_path, environ={"FIELDWORK_MAX_UPLOAD_MB": "200"})
    assert settings["MAX_UPLOAD_MB"] == 200
    assert settings["SECURE_COOKIES"] is True


def test_unknown_environment_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"FIELDWORK_\* variables.*DATABSE_URL"):
        load_settings(tmp_path, environ={"FIELDWORK_DATABSE_URL": "x"})


def test_unknown_file_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "fieldwork.toml").write_text('colour = "blue"\n')
    with pytest.raises(ConfigError, match="COLOUR"):
        load_settings(tmp_path, environ={})


def test_bad_values_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MAX_UPLOAD_MB must be a whole number"):
        load_settings(tmp_path, environ={"FIELDWORK_MAX_UPLOAD_MB": "lots"})
    with pytest.raises(ConfigError, match="SECURE_COOKIES must be true or false"):
        load_settings(tmp_path, environ={"FIELDWORK_SECURE_COOKIES": "maybe"})
