"""Every setting declared once: name, type, default, help.

Values come, lowest priority first, from the defaults here, a TOML config file
(``--config``, ``$LABSCOUT_CONFIG``, else ``./labscout.toml`` when present),
environment variables ``LABSCOUT_<NAME>``, and finally CLI flags.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from labscout.errors import ConfigError


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    db: str = _setting("labscout.duckdb", "Path of the DuckDB store file.")
    quiet: bool = _setting(False, "Hide progress bars.")
    openalex_api_key: str | None = _setting(
        None, "OpenAlex API key (also read from $OPENALEX_API_KEY)."
    )
    openalex_mailto: str | None = _setting(None, "E-mail sent to OpenAlex for its polite pool.")
    openalex_base_url: str = _setting("https://api.openalex.org", "OpenAlex API base URL.")
    http_timeout: float = _setting(30.0, "Seconds before an HTTP request times out.")
    http_retries: int = _setting(5, "Attempts for an HTTP request on 429, 5xx and timeouts.")
    batch_size: int = _setting(2000, "Works written to the store per transaction when ingesting.")
    embedder: str = _setting("minilm", "Name of the dense embedder (see `labscout embedders`).")

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def help_for(cls, name: str) -> str:
        return {f.name: f.metadata["help"] for f in fields(cls)}[name]

    @classmethod
    def load(cls, config: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, config file, environment and ``overrides``.

        ``overrides`` whose value is ``None`` are ignored, so CLI flags that were
        not given leave lower layers in place.
        """
        values: dict[str, Any] = {}
        path = config or os.environ.get("LABSCOUT_CONFIG")
        if path is None and Path("labscout.toml").is_file():
            path = "labscout.toml"
        if path is not None:
            values.update(_read_config(Path(path)))
        if os.environ.get("OPENALEX_API_KEY"):
            values["openalex_api_key"] = os.environ["OPENALEX_API_KEY"]
        for f in fields(cls):
            env = os.environ.get(f"LABSCOUT_{f.name.upper()}")
            if env is not None:
                values[f.name] = _coerce(f.name, f.type, env)
        for name, value in overrides.items():
            if name not in cls.names():
                raise ConfigError(f"unknown setting '{name}'")
            if value is not None:
                values[name] = value
        return replace(cls(), **values)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    section = data.get("labscout", data)
    known = {f.name: f for f in fields(Settings)}
    out: dict[str, Any] = {}
    for key, value in section.items():
        name = key.replace("-", "_")
        if name not in known:
            raise ConfigError(
                f"unknown setting '{key}' in {path}",
                hint="Known settings: " + ", ".join(known),
            )
        out[name] = value
    return out


def _coerce(name: str, type_: Any, raw: str) -> Any:
    t = str(type_)
    try:
        if t.startswith("bool"):
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if t.startswith("int"):
            return int(raw)
        if t.startswith("float"):
            return float(raw)
    except ValueError:
        raise ConfigError(
            f"$LABSCOUT_{name.upper()}={raw!r} is not a valid {t.split(' ')[0]}"
        ) from None
    return raw
