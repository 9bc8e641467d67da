"""borderdata: numbers in border-security news, with receipts.

Public API: :func:`load_corpus`, :func:`extract_facts`, :func:`extract_text`,
:func:`build_claims`, the pint registry :data:`ureg` and :data:`Q_`.
"""

from __future__ import annotations

from borderdata.claims import build_claims
from borderdata.corpus import Document, load_corpus
from borderdata.extract import extract_facts, extract_text
from borderdata.units import Q_, ureg

__all__ = ["Q_", "Document", "build_claims", "extract_facts", "extract_text", "load_corpus", "ureg"]
__version__ = "0.1.0"
