"""redact_webhook_path: the URL token never survives, other paths are untouched."""

import pytest

from portal.webhooks.redaction import redact_webhook_path, webhook_parts


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
