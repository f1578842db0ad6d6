"""Every setting declared once: name, type, default, help.

Values come, lowest priority first, from the defaults here, a TOML config file
(``--config``, ``$LABSCOUT_CONFIG``, else ``./labscout.toml`` when present),
environment variables ``LABSCOUT_<NAME>``, and finally CLI flags.
"""

from __future__ import annotations

import math
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
        return _validated(replace(cls(), **values))


# the least value each numeric setting may take (checked when settings are loaded)
_MINIMUM: dict[str, float] = {"batch_size": 1, "http_retries": 1, "http_timeout": 0.001}


def _validated(s: Settings) -> Settings:
    """``s`` with each value of its declared type and range, or :class:`ConfigError`."""
    fixed: dict[str, Any] = {}
    for f in fields(s):
        value = getattr(s, f.name)
        t = str(f.type)
        kind = t.split(" ")[0]
        if value is None and "None" in t:
            continue
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, int | float) and not isinstance(value, bool),
            "str": isinstance(value, str),
        }.get(kind, True)
        if not ok:
            raise ConfigError(
                f"setting {f.name} = {value!r} is not a valid {kind}",
                hint=f"{f.name}: {f.metadata['help']}",
            )
        if kind == "float":
            value = float(value)
            fixed[f.name] = value
        low = _MINIMUM.get(f.name)
        if low is not None and not (value >= low and math.isfinite(value)):
            raise ConfigError(
                f"setting {f.name} = {value!r} must be at least {low:g}",
                hint=f"{f.name}: {f.metadata['help']}",
            )
    return replace(s, **fixed) if fixed else s


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.loads(fh.read(1 << 20).decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"the config file {path} is a folder") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"the config file {path} is not UTF-8 text (a binary file?)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} is not a TOML table")
    section = data.get("labscout", data)
    if not isinstance(section, dict):
        raise ConfigError(f"[labscout] in {path} is not a table")
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
