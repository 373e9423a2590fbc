"""redact_webhook_path and the access line's path: the URL token never survives, other paths are
untouched."""

import pytest

from portal.webhooks.redaction import (
    redact_for_log,
    redact_webhook_path,
    webhook_parts,
    webhook_path_for_log,
)

SECRET = "Xq3vT9kLm2Pw8Rz5Yb7Nc4Hd6Jf1Gs0"  # shaped like a real webhook token


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/answer_url/1000/s3cr3t/", "/answer_url/1000/***/"),
        ("/ivr/1000/s3cr3t/7/", "/ivr/1000/***/7/"),
        ("/on_fail/1000/s3cr3t/7/", "/on_fail/1000/***/7/"),
        ("/ring/1000/s3cr3t/7/", "/ring/1000/***/7/"),
        ("/event_url/42/s3cr3t/", "/event_url/42/***/"),
        ("/recording_event/42/s3cr3t/", "/recording_event/42/***/"),
        ("/admin/calls/callrecord/", "/admin/calls/callrecord/"),
        ("/answer_url/not-a-number/s3cr3t/", "/answer_url/not-a-number/s3cr3t/"),
        ("/answer_url/1000/", "/answer_url/1000/"),
    ],
)
def test_webhook_tokens_are_blanked_and_other_paths_kept(path, expected):
    assert redact_webhook_path(path) == expected


def test_webhook_parts_names_the_endpoint_and_project():
    assert webhook_parts("/ivr/1000/tok/3/") == ("ivr", 1000)
    assert webhook_parts("/api/v1/projects/") is None


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/answer_url/1000/{SECRET}/", "/answer_url/1000/***/"),
        (f"/event_url/42/{SECRET}/", "/event_url/42/***/"),
        (f"/ivr/1000/{SECRET}/7/", "/ivr/1000/***/7/"),
        (f"/answer_url/1000/{SECRET}/{SECRET}/", "/answer_url/1000/***/***/"),  # pasted twice
        (f"/answer_url/1000/{SECRET}//", "/answer_url/1000/***//"),
        (f"/answer_url//1000/{SECRET}/", "/answer_url//1000/***/"),  # base URL ending in /
        (f"/ANSWER_URL/1000/{SECRET}/", "/ANSWER_URL/1000/***/"),
        (f"/answer_url/x/{SECRET}/", "/answer_url/x/***/"),
    ],
)
def test_the_access_line_path_hides_the_token_however_the_url_was_typed(path, logged):
    assert webhook_path_for_log(path) == logged
    assert webhook_path_for_log(path) == redact_for_log(redact_webhook_path(path))
    assert SECRET not in webhook_path_for_log(path)
