"""Durations read as staff say them, in both languages."""

import pytest
from django.utils import translation

from portal.durations import duration_in_words


@pytest.mark.parametrize(
    ("seconds", "english", "vietnamese"),
    [
        (None, "–", "–"),
        (0, "0 s", "0 giây"),
        (7.4, "7 s", "7 giây"),
        (336.7, "5 min 37 s", "5 phút 37 giây"),
        (3900, "1 h 05 min", "1 giờ 05 phút"),
    ],
)
def test_a_duration_in_minutes_and_seconds(seconds, english, vietnamese):
    with translation.override("en"):
        assert duration_in_words(seconds) == english
    with translation.override("vi"):
        assert duration_in_words(seconds) == vietnamese
