"""nbval runs the notebooks on the seeds' tables, whatever ``data/raw/`` holds.

Before any notebook starts, the seeds' tables (no user articles, no overrides) are
built in a temporary folder and ``$BORDERDATA_TABLES`` points the notebooks at it
(their ``tables_dir = ""`` resolves through it), so articles a user added never make
``make test-notebooks`` fail. The stored outputs were made the same way
(``make baseline``). An explicitly set ``$BORDERDATA_TABLES`` is respected.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from borderdata.report import build_seed_tables
from borderdata.views import TABLES_ENV

_BUILT: list[Path] = []


def pytest_configure(config) -> None:
    if os.environ.get(TABLES_ENV):
        return
    folder = Path(tempfile.mkdtemp(prefix="borderdata-seed-tables-"))
    _BUILT.append(build_seed_tables(folder))
    os.environ[TABLES_ENV] = str(folder)


def pytest_unconfigure(config) -> None:
    for folder in _BUILT:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(TABLES_ENV, None)
