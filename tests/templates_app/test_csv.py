"""CSV import and export of templates in admin."""

from __future__ import annotations

import io

import pytest

from chatdesk.accounts.models import Role
from templates_app.csv_io import CsvImportError, parse_csv
from templates_app.models import Category, QuickTemplate
from tests.factories import QueueFactory
from tests.templates_app.conftest import make_template

ADMIN = "/admin/templates_app/quicktemplate/"
FIELDS = ("title", "body", "category__name", "language", "queue__name")


@pytest.fixture
def manager_client(client, user_with_role):
    client.force_login(user_with_role(Role.MANAGER))
    return client


def _upload(client, text: str):
    upload = io.BytesIO(text.encode())
    upload.name = "templates.csv"
    return client.post(f"{ADMIN}import-csv/", {"file": upload})


def _snapshot() -> list[tuple]:
    return sorted(QuickTemplate.objects.values_list(*FIELDS))


def test_export_then_import_gives_the_same_templates(manager_client):
    sales = QueueFactory(name="Sales")
    make_template(
        title="Greeting", body='Hi {{ contact.first_name }}, "quoted", comma', category="Openers"
    )
    make_template(title="Multi", body="Line one\nLine two\r\n\nÜmlaut ✓", language="de")
    make_template(title="Sales only", body="Our prices", category="Billing", queue=sales)
    before = _snapshot()

    response = manager_client.get(f"{ADMIN}export-csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    exported = response.content.decode()

    QuickTemplate.objects.all().delete()
    Category.objects.all().delete()
    imported = _upload(manager_client, exported)
    assert imported.status_code == 302
    assert _snapshot() == before

    # Importing the same file again updates in place: nothing is doubled.
    assert _upload(manager_client, exported).status_code == 302
    assert _snapshot() == before


def test_export_of_selected_templates_by_admin_action(manager_client):
    keep = make_template(title="Wanted")
    make_template(title="Not wanted")
    response = manager_client.post(ADMIN, {"action": "export_csv", "_selected_action": [keep.pk]})
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "title,body,category,language,queue,shortcut"
    assert len(lines) == 2 and lines[1].startswith("Wanted,")


def test_import_updates_by_title_language_and_queue(manager_client):
    make_template(title="Greeting", body="Old", usage_count=4)
    response = _upload(
        manager_client,
        "title,body,category,language\nGreeting,New,Openers,en\nGreeting,Neu,Openers,de\n",
    )
    assert response.status_code == 302
    assert sorted(QuickTemplate.objects.values_list("language", "body", "usage_count")) == [
        ("de", "Neu", 0),
        ("en", "New", 4),
    ]


def test_a_bad_row_rejects_the_whole_file_with_its_line(manager_client):
    make_template(title="Existing", body="Untouched")
    text = (
        "title,body,category,language,queue\n"
        'Fine,"Two\nlines",Openers,en,\n'  # a record spanning lines 2-3
        "Existing,Changed,,en,\n"
        "Bad,Hi {{ contact.email }},,en,\n"  # line 5
        "Also bad,Hello,,klingon-language,\n"  # line 6
        "Lost,Hello,,en,No such queue\n"  # line 7
        "Fine,Again,,en,\n"  # line 8: duplicates line 2
    )
    response = _upload(manager_client, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Line 5: body: Unknown placeholder {{ contact.email }}" in page
    assert "Line 6:" in page and "not a language code" in page
    assert "Line 7: queue: There is no queue named" in page
    assert "Line 8: the same template as line 2." in page
    assert "Line 2" not in page.replace("line 2.", "")
    assert list(QuickTemplate.objects.values_list("title", "body")) == [("Existing", "Untouched")]
    assert not Category.objects.exists()


def test_files_that_are_not_csv_of_templates_are_refused(manager_client):
    assert "lacks the column(s) body" in _upload(manager_client, "title\nx\n").content.decode()
    with pytest.raises(CsvImportError, match="not UTF-8"):
        parse_csv(b"title,body\n\xff\xfe,x\n")
    with pytest.raises(CsvImportError, match="Line 2: 3 fields, the header has 2"):
        parse_csv(b"title,body\na,b,c\n")


def test_a_byte_order_mark_and_blank_lines_are_fine():
    rows = parse_csv("\ufefftitle,body\n\nHi,There\n".encode())
    assert [(row.line, row.title, row.body, row.language) for row in rows] == [
        (3, "Hi", "There", "en")
    ]


def test_import_needs_add_and_change_permission(client, user_with_role):
    client.force_login(user_with_role(Role.AGENT))
    assert client.get(f"{ADMIN}import-csv/").status_code == 302
    client.force_login(user_with_role(Role.GROUP_OWNER))
    page = client.get(f"{ADMIN}import-csv/")
    assert page.status_code == 200 and b'type="file"' in page.content
