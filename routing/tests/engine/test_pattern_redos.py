"""Tenant patterns run on RE2: catastrophic backtracking cannot stall the answer_url."""

import time

import pytest
from django.core.exceptions import ValidationError

from routing.engine.decide import pattern_matches
from routing.models import validate_pattern
from routing.tests.factories import RoutingRuleFactory
from routing.tests.helpers import answer

NESTED = r"^(\d+)+$"
HOSTILE = "8" * 39 + "a"


def test_nested_quantifier_against_hostile_number_matches_in_linear_time():
    pattern_matches(NESTED, "1")  # compile outside the measurement
    started = time.perf_counter()
    assert pattern_matches(NESTED, HOSTILE) is False
    assert time.perf_counter() - started < 0.05


def test_patterns_still_match_as_before():
    assert pattern_matches(r"^\+?8490\d{7}$", "84901234567")
    assert pattern_matches(NESTED, "8888")
    assert not pattern_matches(r"^84", "0901234567")
    assert pattern_matches("+8490", "84901234567")  # a prefix, not a regex


@pytest.mark.parametrize("pattern", [r"^(a)\1", r"^(?=84)", r"^(?<!0)9", r"^[0-9", r"^\d{1001}"])
def test_patterns_re2_cannot_run_are_refused_with_a_reason(pattern):
    with pytest.raises(ValidationError) as refused:
        validate_pattern(pattern)
    assert "RE2" in str(refused.value)


def test_a_pattern_saved_before_re2_matches_nothing_instead_of_failing():
    assert pattern_matches(r"^(a)\1", "aa") is False


@pytest.mark.django_db
def test_answer_url_with_a_backtracking_pattern_answers_quickly(client, tenant_a):
    RoutingRuleFactory(project=tenant_a, called_kind="pattern", called_pattern=NESTED)
    started = time.perf_counter()
    response = answer(client, tenant_a, from_="84901234567", to=HOSTILE, callId="c-1")
    assert response.status_code == 200
    assert time.perf_counter() - started < 1.0
