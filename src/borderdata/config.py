"""Reading the TOML files a user may edit (corpus rules, taxonomy): packaged default or an override."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def config_path(name: str, env: str, path: str | None = None) -> Path:
    """``path`` if given, else the file named by ``$env``, else the packaged ``name``."""
    return Path(path or os.environ.get(env) or PACKAGE / name)


def read_toml(name: str, env: str, path: str | None = None) -> dict:
    """The parsed TOML file :func:`config_path` picks.

    >>> sorted(read_toml("corpus.toml", "NO_SUCH_VARIABLE"))[:2]
    ['end', 'furniture']
    """
    with config_path(name, env, path).open("rb") as fh:
        return tomllib.load(fh)
