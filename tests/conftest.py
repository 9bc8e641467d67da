"""Shared test helpers: project paths and the seed corpus, read once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from borderdata.corpus import PROJECT_ROOT, load_corpus

# Property tests: a bounded run in `make test`, thousands of examples under `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz). deadline=None: a slow example is not a failure, a wrong one is.
settings.register_profile("default", max_examples=60, deadline=None, print_blob=True)
settings.register_profile(
    "fuzz", max_examples=3000, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SEEDS = PROJECT_ROOT / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_docs():
    return {d.doc_id[:3]: d for d in load_corpus([SEEDS])}
