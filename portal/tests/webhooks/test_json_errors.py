"""Programs calling webhooks or the API get JSON errors even for a bad URL or method."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/answer_url/not-a-number/token/", "/event_url/12/", "/api/v1/no-such-thing/"]
)
def test_unknown_webhook_or_api_url_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.django_db
def test_other_unknown_pages_stay_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_wrong_method_on_a_webhook_is_a_json_405_naming_the_right_one(client, tenant_a):
    answer_url = f"/answer_url/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/"
    response = client.post(answer_url, {})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {
        "error": "method_not_allowed",
        "detail": "Use GET on this URL, not POST.",
    }
    event_url = f"/event_url/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/"
    assert client.get(event_url).json()["error"] == "method_not_allowed"
