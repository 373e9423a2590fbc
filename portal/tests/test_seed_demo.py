"""`seed_demo` is idempotent and describes the demo tenant as JSON."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from portal import demo
from portal.models import AppUser, Project, VirtualNumber


@pytest.mark.django_db
def test_seed_demo_twice_leaves_one_demo_tenant():
    call_command("seed_demo", stdout=StringIO())
    first = Project.objects.get()
    call_command("seed_demo", stdout=StringIO())
    assert Project.objects.count() == 1
    project = Project.objects.get()
    assert project.webhook_token == first.webhook_token
    assert sorted(AppUser.objects.values_list("user_id", flat=True)) == ["user_1", "user_2"]
    assert set(project.numbers.values_list("number", flat=True)) == {
        demo.PHONE_NUMBER_1,
        demo.PHONE_NUMBER_4,
    }


@pytest.mark.django_db
def test_seed_demo_json_describes_the_tenant():
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    info = json.loads(out.getvalue())
    project = Project.objects.get()
    assert info["projectId"] == project.stringee_project_id
    assert info["webhookToken"] == project.webhook_token
    assert info["apiKeySid"] == project.api_key_sid
    assert info["apiKeySecret"] == project.api_key_secret
    assert info["users"] == ["user_1", "user_2"]
    assert info["answerUrl"].endswith(
        f"/answer_url/{project.stringee_project_id}/{project.webhook_token}/"
    )
    assert len(info["inventory"]) == VirtualNumber.objects.filter(status="available").count() > 0
