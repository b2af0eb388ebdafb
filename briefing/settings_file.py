"""Settings the TUI changes for the user, written back into feeds.toml (comments kept).

Only [settings] theme for now: a theme chosen in the palette is the theme at the next start.
"""

from __future__ import annotations

from dataclasses import replace

import tomlkit
from tomlkit.items import Table

from briefing.config import Config, ConfigError, parse_config
from briefing.feeds_file import writable_path
from briefing.safety import write_atomic


def save_theme(config: Config, theme: str) -> None:
    """Set [settings] theme in the feeds file in use; ConfigError when it may not be written
    (the demo, the bundled list) or the edit would change anything else."""
    real = writable_path(config.path)
    try:
        text = real.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config.path}: cannot read the feeds file ({exc}).") from None
    old = parse_config(text, real)
    if old.settings.theme == theme:
        return
    doc = tomlkit.parse(text)
    settings = doc.get("settings")
    if not isinstance(settings, Table):
        settings = tomlkit.table()
        doc["settings"] = settings
    settings["theme"] = theme
    new_text = tomlkit.dumps(doc)
    new = parse_config(new_text, real)
    if new != replace(old, settings=replace(old.settings, theme=theme)):
        raise ConfigError(f"{config.path}: the theme could not be saved safely; file unchanged.")
    try:
        write_atomic(real, new_text)
    except OSError as exc:
        raise ConfigError(f"{real}: cannot write the feeds file ({exc.strerror or exc}).") from None
