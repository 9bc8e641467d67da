"""Shared test helpers: project paths, the seed corpus read once, the sample report built once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import MappingProxyType

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
    """The seed documents by their 3-digit prefix (read-only: the documents are frozen too)."""
    return MappingProxyType({d.doc_id[:3]: d for d in load_corpus([SEEDS])})


# --------------------------------------------------------------------------- the sample report


def folder_digest(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` by its relative path, with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_unchanged(folder: Path, before: dict[str, str]) -> None:
    """Shared folders are read-only by contract: a test that wrote into one fails here."""
    after = folder_digest(folder)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"a test changed the shared folder {folder}: {changed[:10]}"


@pytest.fixture(scope="session")
def sample_tables(tmp_path_factory) -> Path:
    """documents.csv and facts.csv of test_charts' hand-made sample (hostile text in titles and
    sentences), in a folder every report test reads and none writes."""
    from tests.test_report import write_sample_tables

    folder = write_sample_tables(tmp_path_factory.mktemp("sample-tables"))
    before = folder_digest(folder)
    yield folder
    assert_unchanged(folder, before)


@pytest.fixture(scope="session")
def sample_report(sample_tables, tmp_path_factory):
    """The whole report on the sample, built once for test_report and test_browser: default
    parameters, then lb / USD. Maps the run's name to (its folder, its NotebookResults)."""
    from borderdata import report
    from tests.test_report import OTHER_PARAMETERS

    out = {}
    for name, extra in (("default", {}), ("other", OTHER_PARAMETERS)):
        folder = tmp_path_factory.mktemp(f"report-{name}")
        results = report.build_report(
            report.find_notebooks(), folder, {"tables_dir": str(sample_tables), **extra}
        )
        out[name] = (folder, results)
    before = {name: folder_digest(folder) for name, (folder, _) in out.items()}
    yield MappingProxyType(out)
    for name, (folder, _) in out.items():
        assert_unchanged(folder, before[name])


# --------------------------------------------------------------------------- pytest-xdist

# These files share the sample report: one unit of work under xdist, so one worker builds it once.
SAMPLE_REPORT_FILES = ("tests/test_browser.py", "tests/test_report.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` (`-n 2 --dist loadfile`): one test file per unit of work, so that its module
    fixtures are built once, and the files sharing the sample report as one unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SampleReportTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            return "sample-report" if path in SAMPLE_REPORT_FILES else path

    return SampleReportTogether(config, log)


def pytest_collection_modifyitems(config, items) -> None:
    """The sample report's tests first (a stable sort): under xdist they are the longest unit of
    work, so it starts at once while the other worker takes every other file."""
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in SAMPLE_REPORT_FILES)
