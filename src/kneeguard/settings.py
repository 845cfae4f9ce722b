"""The one settings table of kneeguard.

Every setting is declared once in ``SETTINGS`` with its name, type, default
and help. The CLI options, ``kneeguard settings`` and docs/settings.md all
read from this table. A value comes from, in order of precedence:

1. a command-line flag (passed to :func:`load_settings` as ``overrides``),
2. the environment variable ``KNEEGUARD_<NAME>``,
3. the config file ``config.toml`` in the user's config directory
   (or the file named by ``KNEEGUARD_CONFIG``),
4. the default below.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kneeguard.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return f"KNEEGUARD_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting("db", str, "", "Database: any SQLAlchemy URL or a file path (SQLite). "
            "Empty means kneeguard.db in the data directory."),
    Setting("data_dir", str, "", "Directory for the default database and the demo database. "
            "Empty means the platform's user data directory."),
    Setting("max_file_mb", float, 64.0, "Largest single activity file accepted, in MB "
            "(after decompression)."),
    Setting("max_archive_mb", float, 8192.0, "Largest total expanded size of an export archive, "
            "in MB; beyond it the archive is refused as a zip bomb."),
    Setting("max_zip_ratio", float, 200.0, "Largest compression ratio of an archive member "
            "before it is refused as a zip bomb."),
    Setting("import_workers", int, 0, "Processes used to decode files during an import "
            "(0 = one per CPU core)."),
    Setting("shoe_limit_km", float, 650.0, "Distance after which a pair of shoes is flagged "
            "(500-800 km is the usual range; no study ties a distance to injury)."),
    Setting("weekly_growth_pct", float, 10.0, "Largest weekly growth of running distance the "
            "plan allows, in percent."),
    Setting("host", str, "127.0.0.1", "Address `kneeguard serve` binds to."),
    Setting("port", int, 8000, "Port `kneeguard serve` listens on."),
    Setting("access_token", str, "", "Token required by the web app when it listens on a "
            "non-loopback address."),
    Setting("upload_max_mb", float, 512.0, "Largest upload the web app accepts, in MB."),
    Setting("koos_mcid", float, 10.0, "Smallest KOOS subscale change called an improvement "
            "or a worsening, in points (Roos & Lohmander 2003: 8-10)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    db: str = ""
    data_dir: str = ""
    max_file_mb: float = 64.0
    max_archive_mb: float = 8192.0
    max_zip_ratio: float = 200.0
    import_workers: int = 0
    shoe_limit_km: float = 650.0
    weekly_growth_pct: float = 10.0
    host: str = "127.0.0.1"
    port: int = 8000
    access_token: str = ""
    upload_max_mb: float = 512.0
    koos_mcid: float = 10.0

    @property
    def data_path(self) -> Path:
        if self.data_dir:
            return Path(self.data_dir).expanduser()
        import platformdirs

        return Path(platformdirs.user_data_dir("kneeguard", appauthor=False))

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the database: a plain path means SQLite."""
        return database_url(self.db or str(self.data_path / "kneeguard.db"))

    @property
    def demo_db_url(self) -> str:
        return database_url(str(self.data_path / "demo.db"))


def database_url(value: str) -> str:
    """Turn ``--db`` input into an SQLAlchemy URL; a plain file path means SQLite."""
    if "://" in value:
        return value
    path = Path(value).expanduser()
    return f"sqlite:///{path}"


def _cast(setting: Setting, raw: Any, where: str) -> Any:
    caster: Callable[[Any], Any] = setting.type
    if setting.type is bool and isinstance(raw, str):
        low = raw.strip().lower()
        if low in {"1", "true", "yes", "on"}:
            return True
        if low in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{where}: {setting.name} must be true or false, not {raw!r}.")
    try:
        return caster(raw)
    except (TypeError, ValueError):
        kind = {int: "a whole number", float: "a number", str: "text"}.get(setting.type, "valid")
        raise ConfigError(f"{where}: {setting.name} must be {kind}, not {raw!r}.") from None


def config_file_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("KNEEGUARD_CONFIG"):
        return Path(env["KNEEGUARD_CONFIG"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("kneeguard", appauthor=False)) / "config.toml"


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Build the settings: flags > environment > config file > defaults."""
    return resolve_settings(overrides, env, config_file)[0]


def resolve_settings(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> tuple[Settings, dict[str, str]]:
    """The settings and, per setting, where its value came from."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    origin = {s.name: "default" for s in SETTINGS}
    path = config_file if config_file is not None else config_file_path(env)
    for key, value in config_file_values(path).items():
        values[key] = value
        origin[key] = str(path)
    for setting in SETTINGS:
        if setting.env_var in env:
            values[setting.name] = _cast(setting, env[setting.env_var], setting.env_var)
            origin[setting.name] = setting.env_var
    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        if key not in _BY_NAME:
            raise ConfigError(f"unknown setting {key!r}.")
        flag = f"--{key.replace('_', '-')}"
        values[key] = _cast(_BY_NAME[key], raw, flag)
        origin[key] = flag
    return Settings(**values), origin


def config_file_values(path: Path | None = None) -> dict[str, Any]:
    """The settings written in the config file (validated), or ``{}`` without a file."""
    path = config_file_path() if path is None else path
    values: dict[str, Any] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
        values = check_setting_values(data, str(path))
    return values


def check_setting_values(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Known names only, each cast to its type; a ConfigError names the culprit."""
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in _BY_NAME:
            known = ", ".join(_BY_NAME)
            raise ConfigError(f"{where}: unknown setting {key!r} (known: {known}).")
        values[key] = _cast(_BY_NAME[key], raw, where)
    return values


def write_config_file(path: Path, values: Mapping[str, Any]) -> None:
    """Write ``values`` as a TOML config file (atomically; the directory is created)."""
    lines = ["# kneeguard settings (docs/settings.md)"]
    for key, value in check_setting_values(values, str(path)).items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float):
            text = repr(value)
        else:
            text = json.dumps(str(value))  # a JSON string is a valid TOML basic string
        lines.append(f"{key} = {text}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _check_table_matches() -> None:  # pragma: no cover - import-time guard
    declared = {s.name: s.default for s in SETTINGS}
    held = {f.name: f.default for f in fields(Settings)}
    if declared != held:
        raise RuntimeError(f"SETTINGS and Settings disagree: {declared} != {held}")


_check_table_matches()
