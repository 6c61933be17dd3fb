"""Template shortcut codes: optional, slug-like, unique when set, through the API,
admin and CSV alike."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from chatdesk.accounts.models import Role
from templates_app import services
from templates_app.models import QuickTemplate
from templates_app.shortcuts import normalize_shortcut, validate_shortcut
from tests.templates_app.conftest import make_template

pytestmark = pytest.mark.django_db

URL = "/api/v1/templates/"
ADMIN = "/admin/templates_app/quicktemplate/"


@pytest.fixture
def manager_api(api_for, user_with_role):
    return api_for(user_with_role(Role.MANAGER))


def _post(client, **fields):
    return client.post(URL, {"title": "Thanks", "body": "Thank you!", **fields}, format="json")


def test_a_shortcut_is_stored_trimmed_and_lowercased(manager_api):
    response = _post(manager_api, shortcut="  Thanks-EU_2 ")
    assert response.status_code == 201
    assert response.json()["shortcut"] == "thanks-eu_2"
    assert QuickTemplate.objects.get().shortcut == "thanks-eu_2"


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_no_shortcut_is_null_and_many_templates_may_have_none(manager_api, blank):
    first = _post(manager_api, shortcut=blank)
    second = _post(manager_api, title="Other", shortcut=blank)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["shortcut"] is None
    assert list(QuickTemplate.objects.values_list("shortcut", flat=True)) == [None, None]


@pytest.mark.parametrize(
    "bad", ["two words", "/thanks", "-leading", "ümlaut", "a.b", "x" * 33, "emoji🙂"]
)
def test_a_malformed_shortcut_is_a_400_that_says_why(manager_api, bad):
    response = _post(manager_api, shortcut=bad)
    assert response.status_code == 400
    assert response.json()["shortcut"][0]
    assert not QuickTemplate.objects.exists()


def test_a_shortcut_is_unique_whatever_its_case(manager_api):
    assert _post(manager_api, shortcut="thanks").status_code == 201
    response = _post(manager_api, title="Thanks again", shortcut="THANKS")
    assert response.status_code == 400
    assert "shortcut" in response.json()
    assert QuickTemplate.objects.count() == 1


def test_changing_and_clearing_a_shortcut(manager_api):
    template = make_template(title="Bye", shortcut="bye")
    other = make_template(title="Hello", shortcut="hi")
    taken = manager_api.patch(f"{URL}{template.pk}/", {"shortcut": "hi"}, format="json")
    assert taken.status_code == 400
    renamed = manager_api.patch(f"{URL}{template.pk}/", {"shortcut": "ciao"}, format="json")
    assert renamed.json()["shortcut"] == "ciao"
    cleared = manager_api.patch(f"{URL}{other.pk}/", {"shortcut": ""}, format="json")
    assert cleared.status_code == 200 and cleared.json()["shortcut"] is None
    # A PATCH that leaves the shortcut out keeps it.
    manager_api.patch(f"{URL}{template.pk}/", {"body": "See you"}, format="json")
    assert QuickTemplate.objects.get(pk=template.pk).shortcut == "ciao"


def test_agents_read_the_shortcut(api_for, user_with_role):
    make_template(title="Bye", shortcut="bye")
    rows = api_for(user_with_role(Role.AGENT)).get(URL).json()["results"]
    assert rows[0]["shortcut"] == "bye"


def test_the_service_validates_like_the_api():
    services.template_create(created_by=None, title="A", body="a", shortcut="same")
    with pytest.raises(ValidationError) as raised:
        services.template_create(created_by=None, title="B", body="b", shortcut="Same")
    assert "shortcut" in raised.value.message_dict


def test_the_rules_in_one_place():
    assert normalize_shortcut(" Hi ") == "hi"
    assert normalize_shortcut("") is None and normalize_shortcut(None) is None
    validate_shortcut("ok-1_2")
    for bad in ("a b", "_x", "x/y"):
        with pytest.raises(ValidationError):
            validate_shortcut(bad)


def test_admin_sets_and_refuses_shortcuts(client, user_with_role):
    client.force_login(user_with_role(Role.MANAGER))
    form = {
        "title": "Hours",
        "body": "We open at 9.",
        "language": "en",
        "category": "",
        "queue": "",
    }
    assert client.post(f"{ADMIN}add/", {**form, "shortcut": "Hours"}).status_code == 302
    assert QuickTemplate.objects.get().shortcut == "hours"
    again = client.post(f"{ADMIN}add/", {**form, "title": "Hours 2", "shortcut": "hours"})
    assert again.status_code == 200  # the form again, with the error
    assert "Another template already has this shortcut." in again.content.decode()
    blank = client.post(f"{ADMIN}add/", {**form, "title": "Hours 3", "shortcut": ""})
    assert blank.status_code == 302
    assert QuickTemplate.objects.get(title="Hours 3").shortcut is None
    assert "hours" in client.get(ADMIN).content.decode()


def _upload(client, text: str):
    upload = io.BytesIO(text.encode())
    upload.name = "templates.csv"
    return client.post(f"{ADMIN}import-csv/", {"file": upload})


def test_csv_carries_shortcuts_both_ways(client, user_with_role):
    client.force_login(user_with_role(Role.MANAGER))
    make_template(title="Bye", body="Bye!", shortcut="bye")
    make_template(title="Plain", body="Plain.")
    exported = client.get(f"{ADMIN}export-csv/").content.decode()
    assert exported.splitlines()[0].endswith(",shortcut")
    QuickTemplate.objects.all().delete()
    assert _upload(client, exported).status_code == 302
    assert dict(QuickTemplate.objects.values_list("title", "shortcut")) == {
        "Bye": "bye",
        "Plain": None,
    }
    # A file without the column leaves the codes as they are.
    assert _upload(client, "title,body\nBye,Bye now!\n").status_code == 302
    assert QuickTemplate.objects.get(title="Bye").shortcut == "bye"


def test_csv_refuses_duplicate_and_malformed_shortcuts_with_their_lines(client, user_with_role):
    client.force_login(user_with_role(Role.MANAGER))
    make_template(title="Existing", shortcut="dup")
    response = _upload(
        client,
        "title,body,shortcut\nOne,1,dup\nTwo,2,bad code\nThree,3,fine\n",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 2" in page and "Line 3" in page
    assert not QuickTemplate.objects.filter(title__in=["One", "Two", "Three"]).exists()
