"""Shared test helpers: project paths and the seed corpus, read once."""

from __future__ import annotations

from pathlib import Path

import pytest

from borderdata.corpus import PROJECT_ROOT, load_corpus

SEEDS = PROJECT_ROOT / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_docs():
    return {d.doc_id[:3]: d for d in load_corpus([SEEDS])}
