"""feeds.toml -> a typed, validated Config. Every error names the file, the line and the key."""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from briefing.errors import BriefingError
from briefing.models import Feed

if TYPE_CHECKING:
    import httpx

APP = "briefing"


class ConfigError(BriefingError, ValueError):
    """A problem with feeds.toml that the user must fix; the message is ready to print."""


@dataclass(frozen=True, slots=True)
class Settings:
    refresh_minutes: int = 30
    store: Path = field(default_factory=lambda: default_store_path())
    export_dir: Path = field(default_factory=lambda: default_export_dir())
    concurrency: int = 16
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_items: int = 500
    join_window_days: float = 3.0
    front_matter: bool = False
    min_interval_minutes: int = 15  # a feed is not fetched more often (unless forced)
    keep_days: int = 365  # stories older than this are pruned (see store/retention.py)
    theme: str = ""  # a Textual theme name; "" is briefing's default (the TUI checks the name)


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """One line of [keys]: a binding id of the TUI and the key(s) it moves to."""

    id: str
    keys: str  # Textual key names, comma-separated: "ctrl+r" or "n,down"
    line: int  # in feeds.toml, for errors the TUI finds (an unknown id, a clash)


@dataclass(frozen=True, slots=True)
class Config:
    feeds: tuple[Feed, ...]
    settings: Settings = field(default_factory=Settings)
    path: Path | None = None
    keys: tuple[KeyBinding, ...] = ()


@dataclass(frozen=True, slots=True)
class Session:
    """What every command needs: the config, the store path and, for the demo, a transport."""

    config: Config
    db_path: Path
    transport: httpx.AsyncBaseTransport | None = None  # None: the real network
    demo: bool = False


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "briefing.db"


def default_export_dir() -> Path:
    docs = Path(platformdirs.user_documents_dir())
    return (docs if docs.is_dir() else Path.home()) / "briefings"


def state_dir() -> Path:
    """Where logs go (never the terminal)."""
    return Path(platformdirs.user_state_dir(APP))


def bundled_default_feeds() -> str:
    return resources.files("briefing").joinpath("default_feeds.toml").read_text("utf-8")


def find_feeds_file(explicit: str | None = None) -> Path:
    """--feeds, then $BRIEFING_FEEDS, then ./feeds.toml, then the user config dir.

    The user config copy is created from the bundled default on first run.
    """
    for candidate in (explicit, os.environ.get("BRIEFING_FEEDS")):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_file():
                raise ConfigError(f"{path}: no such feeds file.")
            return path
    local = Path("feeds.toml")
    if local.is_file():
        return local
    user = Path(platformdirs.user_config_dir(APP)) / "feeds.toml"
    if not user.is_file():
        user.parent.mkdir(parents=True, exist_ok=True)
        tmp = user.with_suffix(".tmp")
        tmp.write_text(bundled_default_feeds(), "utf-8")
        shutil.move(tmp, user)
    return user


def load_config(path: Path) -> Config:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the feeds file ({exc}).") from None
    return parse_config(text, path)


_SETTINGS_TYPES: dict[str, tuple[type, ...]] = {
    "refresh_minutes": (int,),
    "store": (str,),
    "export_dir": (str,),
    "concurrency": (int,),
    "timeout": (int, float),
    "max_bytes": (int,),
    "max_items": (int,),
    "join_window_days": (int, float),
    "front_matter": (bool,),
    "min_interval_minutes": (int,),
    "keep_days": (int,),
    "theme": (str,),
}
# A Textual key name: "x", "X", "f5", "question_mark", "ctrl+shift+up".
_KEY_NAME = re.compile(r"(?:(?:ctrl|shift|alt|super|meta|hyper)\+)*(?:[A-Za-z0-9]|[a-z][a-z0-9_]+)")
_FEED_KEYS = {
    "name": str,
    "url": str,
    "tags": list,
    "enabled": bool,
    "full_text": bool,
    "keep_days": int,
}


def url_key(url: str) -> str:
    """How feeds are compared for duplicates, here and wherever feeds are added: scheme and host
    without regard to case, path and query exactly (YouTube channel ids differ only in case),
    a trailing slash ignored."""
    text = url.strip().rstrip("/")
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    user, at, host = parts.netloc.rpartition("@")
    return urlunsplit(
        parts._replace(scheme=parts.scheme.lower(), netloc=f"{user}{at}{host.lower()}")
    )


def parse_config(text: str, path: Path) -> Config:
    lines = _Lines(text, path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}.") from None
    unknown = set(data) - {"settings", "feed", "keys"}
    for key in sorted(unknown):
        raise lines.error(
            None, key, f"unknown top-level key '{key}' (expected [settings], [keys] or [[feed]])"
        )
    settings = _parse_settings(data.get("settings", {}), lines)
    keys = _parse_keys(data.get("keys", {}), lines)
    raw_feeds = data.get("feed", [])
    if not isinstance(raw_feeds, list):
        raise lines.error(None, "feed", "'feed' must be an array of tables written [[feed]]")
    feeds: list[Feed] = []
    seen_urls: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for index, raw in enumerate(raw_feeds):
        feed = _parse_feed(raw, index, lines)
        key = url_key(feed.url)
        if key in seen_urls:
            raise lines.error(
                index, "url", f"duplicate feed: same url as feed #{seen_urls[key] + 1}"
            )
        if feed.name.lower() in seen_names:
            msg = f"duplicate feed: same name as feed #{seen_names[feed.name.lower()] + 1}"
            raise lines.error(index, "name", msg)
        seen_urls[key] = index
        seen_names[feed.name.lower()] = index
        feeds.append(feed)
    return Config(feeds=tuple(feeds), settings=settings, path=path, keys=keys)


def _parse_keys(raw: Any, lines: _Lines) -> tuple[KeyBinding, ...]:
    """[keys]: binding id = "key" or "key1,key2". The TUI checks the ids and refuses clashes
    (it knows its bindings and which screen each belongs to), with config_error."""
    if not isinstance(raw, dict):
        raise lines.error(None, "keys", "'keys' must be a table written [keys]")
    bindings: list[KeyBinding] = []
    for binding_id, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise lines.error("keys", binding_id, f"'{binding_id}' must be a key name in quotes")
        keys = [k.strip() for k in value.split(",")]
        for key in keys:
            if not _KEY_NAME.fullmatch(key):
                example = '"n", "ctrl+r", "f5"'
                raise lines.error("keys", binding_id, f"'{key}' is not a key name (e.g. {example})")
        line = lines.find("keys", binding_id) or 0
        bindings.append(KeyBinding(binding_id, ",".join(keys), line))
    return tuple(bindings)


def config_error(config: Config, table: str, key: str, message: str) -> ConfigError:
    """An error found after loading (by the TUI), worded like the loader's, line included."""
    path = config.path or Path("feeds.toml")
    try:
        text = path.read_text(encoding="utf-8") if config.path else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    return _Lines(text, path).error(table, key, message)


def _parse_settings(raw: Any, lines: _Lines) -> Settings:
    if not isinstance(raw, dict):
        raise lines.error(None, "settings", "'settings' must be a table written [settings]")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        expected = _SETTINGS_TYPES.get(key)
        if expected is None:
            known = ", ".join(sorted(_SETTINGS_TYPES))
            raise lines.error("settings", key, f"unknown setting '{key}' (known: {known})")
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            names = " or ".join(t.__name__ for t in expected)
            raise lines.error("settings", key, f"'{key}' must be {names}, not {value!r}")
        if key in ("store", "export_dir"):
            value = Path(os.path.expandvars(str(value))).expanduser()
        elif isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            raise lines.error("settings", key, f"'{key}' must be greater than zero")
        values[key] = value
    return Settings(**values)


def _parse_feed(raw: Any, index: int, lines: _Lines) -> Feed:
    if not isinstance(raw, dict):
        raise lines.error(index, "feed", "each [[feed]] must be a table")
    for key, value in raw.items():
        expected = _FEED_KEYS.get(key)
        if expected is None:
            known = ", ".join(_FEED_KEYS)
            raise lines.error(index, key, f"unknown key '{key}' (known: {known})")
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise lines.error(index, key, f"'{key}' must be {expected.__name__}, not {value!r}")
    if raw.get("keep_days", 1) <= 0:
        raise lines.error(index, "keep_days", "'keep_days' must be greater than zero")
    if "url" not in raw:
        raise lines.error(index, None, "missing required key 'url'")
    url = raw["url"].strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise lines.error(index, "url", f"'url' must be an http(s) address, not {url!r}")
    tags = raw.get("tags", [])
    if not all(isinstance(tag, str) for tag in tags):
        raise lines.error(index, "tags", "'tags' must be a list of strings")
    name = raw.get("name", "").strip() or parts.netloc
    return Feed(
        name=name,
        url=url,
        tags=tuple(tags),
        enabled=raw.get("enabled", True),
        full_text=raw.get("full_text", False),
        keep_days=raw.get("keep_days"),
    )


class _Lines:
    """Finds the line of a key in the TOML text, for error messages (tomllib keeps no positions)."""

    def __init__(self, text: str, path: Path) -> None:
        self.lines = text.splitlines()
        self.path = path

    def error(self, table: int | str | None, key: str | None, message: str) -> ConfigError:
        line = self.find(table, key)
        where = f"{self.path}, line {line}" if line else str(self.path)
        section = ""
        if isinstance(table, int):
            section = f" in [[feed]] #{table + 1}"
        elif table:
            section = f" in [{table}]"
        return ConfigError(f"{where}{section}: {message}.")

    def find(self, table: int | str | None, key: str | None) -> int | None:
        start, end = 0, len(self.lines)
        if isinstance(table, int):
            headers = [
                i for i, ln in enumerate(self.lines) if re.match(r"\s*\[\[\s*feed\s*\]\]", ln)
            ]
            if table >= len(headers):
                return None
            start = headers[table]
            end = next((i for i in range(start + 1, end) if _is_header(self.lines[i])), end)
        elif table:
            pattern = rf"\s*\[\s*{re.escape(table)}\s*\]"
            found = [i for i, ln in enumerate(self.lines) if re.match(pattern, ln)]
            if found:
                start = found[0]
                end = next((i for i in range(start + 1, end) if _is_header(self.lines[i])), end)
        if key is None:
            return start + 1 if table is not None else None
        key_re = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*[=.]|\s*\[+\s*{re.escape(key)}\b")
        for i in range(start, end):
            if key_re.match(self.lines[i]):
                return i + 1
        return start + 1 if table is not None else None


def _is_header(line: str) -> bool:
    return line.lstrip().startswith("[")
