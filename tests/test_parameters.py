"""parameters.py: the report's parameters read from the notebooks and checked before any runs."""

from __future__ import annotations

import pytest

from borderdata import parameters, report

DEFAULTS = parameters.all_defaults(report.find_notebooks())


def test_every_notebook_declares_the_shared_parameters():
    for path in report.find_notebooks():
        declared = parameters.notebook_defaults(path)
        assert {"tables_dir", "mass_unit", "currency", "usd_per_cad", "usd_per_cad_date"} <= set(declared)


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"mass_units": "lb"}, "unknown parameter 'mass_units'; the parameters are: "),
        ({"mass_unit": "stone"}, "mass_unit='stone' is not allowed: one of kg, lb, g, t"),
        ({"currency": "EUR"}, "currency='EUR' is not allowed: one of CAD, USD"),
        (
            {"usd_per_cad": -1, "usd_per_cad_date": "2025-01-01"},
            "usd_per_cad=-1 is not allowed: a positive number",
        ),
        ({"usd_per_cad": 0.7}, "usd_per_cad=0.7 needs usd_per_cad_date"),
        ({"date_from": "March"}, "date_from='March' is not allowed: a date written YYYY-MM-DD"),
        ({"tables_dir": "/no/such/folder"}, "tables_dir='/no/such/folder' is not allowed: a folder holding"),
        ({"category": "seizures"}, "category='seizures' is not allowed: one of seizure"),
        ({"statuses": "corroborated,maybe"}, "statuses='corroborated,maybe' is not allowed"),
    ],
)
def test_bad_parameters_name_what_is_allowed(values, fragment):
    problems = parameters.validate(values, DEFAULTS)
    assert len(problems) == 1 and fragment in problems[0], problems


def test_good_parameters_pass_and_take_their_defaults_shape():
    values = {
        "mass_unit": "lb",
        "usd_per_cad": 1,
        "usd_per_cad_date": "2025-01-02",
        "statuses": "updated,single",
    }
    assert parameters.checked(values, DEFAULTS) == {
        "mass_unit": "lb",
        "usd_per_cad": 1.0,
        "usd_per_cad_date": "2025-01-02",
        "statuses": ["updated", "single"],
    }


def test_every_problem_is_reported_at_once():
    with pytest.raises(parameters.ParameterError) as caught:
        parameters.checked({"mass_units": "lb", "currency": "EUR"}, DEFAULTS)
    message = str(caught.value)
    assert message.startswith(parameters.MSG_HEADER)
    assert "mass_units" in message and "EUR" in message
