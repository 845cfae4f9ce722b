"""The settings table: precedence, casting, clear errors, and every setting documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeguard.errors import ConfigError
from kneeguard.settings import SETTINGS, database_url, load_settings


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(env={}, config_file=tmp_path / "none.toml")
    assert settings.port == 8000
    assert settings.host == "127.0.0.1"
    assert settings.shoe_limit_km == 650.0


def test_precedence_flags_env_file_defaults(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('port = 9000\nhost = "127.0.0.2"\nshoe_limit_km = 700\n')
    env = {"KNEEGUARD_PORT": "9100", "KNEEGUARD_SHOE_LIMIT_KM": "720"}
    settings = load_settings({"port": 9200}, env=env, config_file=config)
    assert settings.port == 9200
    assert settings.shoe_limit_km == 720.0
    assert settings.host == "127.0.0.2"


@pytest.mark.parametrize(("env", "message"), [
    ({"KNEEGUARD_PORT": "eighty"}, "KNEEGUARD_PORT: port must be a whole number, not 'eighty'"),
    ({"KNEEGUARD_MAX_FILE_MB": "x"}, "KNEEGUARD_MAX_FILE_MB: max_file_mb must be a number"),
])
def test_bad_environment_values(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env=env, config_file=tmp_path / "none.toml")


def test_bad_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("colour = 'red'\n")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(env={}, config_file=config)
    config.write_text("port = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(env={}, config_file=config)


def test_db_url_from_path_or_url(tmp_path: Path) -> None:
    assert database_url("/tmp/x.db") == "sqlite:////tmp/x.db"
    assert database_url("postgresql+psycopg:///kg") == "postgresql+psycopg:///kg"
    settings = load_settings({"data_dir": str(tmp_path)}, env={},
                             config_file=tmp_path / "none.toml")
    assert settings.db_url == f"sqlite:///{tmp_path / 'kneeguard.db'}"


def test_every_setting_is_documented() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "settings.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in docs, f"{setting.name} missing from docs/settings.md"
        assert setting.env_var in docs
