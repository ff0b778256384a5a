"""Where the data folders shipped with the tool live, in a source checkout or an installed wheel."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

KINDS = ("phrase_lexicons", "reports")


def data_path(kind: str, *parts: str) -> Path:
    """Return the path of a file or folder under one of the data folders (phrase_lexicons or reports)."""
    if kind not in KINDS:
        raise ValueError(f"unknown data folder {kind!r}; expected one of {', '.join(KINDS)}")
    # A wheel packages the folders inside analyzer/; a source checkout keeps them at the repo root.
    packaged = resources.files("analyzer") / kind
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged.joinpath(*parts)
    return Path(__file__).resolve().parent.parent.joinpath(kind, *parts)


def load_yaml(text: str) -> Any:
    """Parse trusted YAML text with libyaml's C loader where installed (ten times the pure-Python one)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def cache_dir() -> Path:
    """The per-user cache folder ($REDFLAGS_CACHE_DIR, else $XDG_CACHE_HOME/redflags or ~/.cache/redflags)."""
    if os.environ.get("REDFLAGS_CACHE_DIR"):
        return Path(os.environ["REDFLAGS_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "redflags"
