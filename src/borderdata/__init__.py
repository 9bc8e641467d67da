"""borderdata: numbers in border-security news, with receipts.

Public API: :func:`load_corpus`, :func:`extract_facts`, :func:`extract_text`,
:func:`build_claims`, the pint registry :data:`ureg` and :data:`Q_`.

The names are imported when first used, so ``import borderdata.cli`` (the command) reads no
module that fixes the project folder before ``--project`` is parsed, and starts quickly.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "build_claims": "borderdata.claims",
    "Document": "borderdata.corpus",
    "load_corpus": "borderdata.corpus",
    "extract_facts": "borderdata.extract",
    "extract_text": "borderdata.extract",
    "Q_": "borderdata.units",
    "ureg": "borderdata.units",
}
__all__ = ["Q_", "Document", "build_claims", "extract_facts", "extract_text", "load_corpus", "ureg"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``borderdata.extract_facts`` and the other public names, imported on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'borderdata' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
