"""Where things are: the project folder, the cache folder, and the TOML rule files a user may edit.

The project is the current folder or the nearest one above it holding ``pyproject.toml`` or
``data/`` (``$BORDERDATA_PROJECT`` or the CLI's ``--project DIR`` name one). Its inputs are
``seeds/`` and ``data/raw/``, its tables ``data/processed/``. Outside a project, the cache goes
to the user's cache folder; nothing is ever written next to the installed package. Packaged
defaults are read with :mod:`importlib.resources`; a rule file is overridden by an environment
variable named ``BORDERDATA_*`` (the extractor version hashes every such override).
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

PACKAGE_NAME = "borderdata"
PACKAGE = resources.files(PACKAGE_NAME)  # the packaged data, read only: never written
PROJECT_ENV = "BORDERDATA_PROJECT"
ENV_PREFIX = "BORDERDATA_"
PROJECT_MARKERS = ("pyproject.toml", "data")


def find_project(start: Path | None = None) -> Path | None:
    """``$BORDERDATA_PROJECT``, else the nearest folder from ``start`` (the cwd) upwards that holds
    ``pyproject.toml`` or a ``data/`` folder; None outside any project."""
    if os.environ.get(PROJECT_ENV):
        return Path(os.environ[PROJECT_ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() or (folder / "data").is_dir():
            return folder
    return None


def project_root() -> Path:
    """The project folder (:func:`find_project`), or the current folder outside any project."""
    return find_project() or Path.cwd().resolve()


def cache_dir() -> Path:
    """Where the extraction cache lives: ``data/processed/.cache`` of the project, else the user's cache."""
    project = find_project()
    if project is not None:
        return project / "data" / "processed" / ".cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(PACKAGE_NAME))


def outside_cache_dir() -> Path:
    """A cache folder for this project outside its tables: the user's cache, one sub-folder per project.

    For state a command must keep without writing into ``data/processed/`` (``borderdata check``).
    """
    import hashlib

    import platformdirs

    root = project_root()
    key = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir(PACKAGE_NAME)) / "projects" / f"{root.name}-{key}"


def config_path(name: str, env: str, path: str | None = None) -> Path | None:
    """``path`` if given, else the file named by ``$env``; None for the packaged ``name``."""
    chosen = path or os.environ.get(env)
    return Path(chosen) if chosen else None


def read_toml(name: str, env: str, path: str | None = None) -> dict:
    """The TOML file ``path``, or ``$env``, or the packaged ``name``, parsed.

    >>> sorted(read_toml("corpus.toml", "NO_SUCH_VARIABLE"))[:2]
    ['end', 'furniture']
    """
    chosen = config_path(name, env, path)
    data = chosen.read_bytes() if chosen else resources.files(PACKAGE_NAME).joinpath(name).read_bytes()
    return tomllib.loads(data.decode("utf-8"))


def cached_while_unchanged(name: str, env: str) -> Callable[[Callable[..., Any]], Any]:
    """Cache a loader ``load(path=None)`` of the rule file ``name`` until the file in use changes.

    The cache is keyed by the file chosen (``path``, ``$env`` or the packaged one) and its size and
    mtime, so pointing ``$env`` elsewhere or editing the file in place is seen at once, as the
    extraction cache's version sees it (a plain ``lru_cache`` kept the first file read for good).
    """

    def wrap(load: Callable[..., Any]) -> Any:
        @functools.lru_cache(maxsize=8)
        def cached(path: str | None, stamp: tuple) -> Any:
            return load(path)

        @functools.wraps(load)
        def loader(path: str | None = None) -> Any:
            chosen = config_path(name, env, path)
            if chosen is None:
                return cached(None, ())
            try:
                st = chosen.stat()
                stamp: tuple = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = ()
            return cached(str(chosen), stamp)

        loader.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return loader

    return wrap
