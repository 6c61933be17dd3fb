"""Finding a template: search, category tabs, language, queue scope, most used first."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from templates_app import selectors
from tests.factories import QueueFactory, QueueMemberFactory
from tests.templates_app.conftest import make_template

URL = "/api/v1/templates/"


def _titles(api, **params) -> list[str]:
    response = api.get(URL, params)
    assert response.status_code == 200
    return [item["title"] for item in response.json()["results"]]


@pytest.fixture
def library(db):
    return {
        "refund": make_template(
            title="Refund policy", body="Refunds take 5 days.", category="Billing", usage_count=3
        ),
        "invoice": make_template(
            title="Invoice copy",
            body="Your invoice is attached.",
            category="Billing",
            usage_count=9,
        ),
        "hello_de": make_template(
            title="Hallo", body="Guten Tag!", category="Openers", language="de"
        ),
        "hello_br": make_template(
            title="Olá", body="Bom dia!", category="Openers", language="pt-BR"
        ),
        "hello_pt": make_template(title="Olá PT", body="Bom dia.", language="pt", usage_count=1),
    }


def test_most_used_first_then_by_title(api_for, alice, library):
    assert _titles(api_for(alice)) == [
        "Invoice copy",
        "Refund policy",
        "Olá PT",
        "Hallo",
        "Olá",
    ]


def test_search_matches_title_or_body_and_every_word(api_for, alice, library):
    api = api_for(alice)
    assert _titles(api, search="refund") == ["Refund policy"]
    assert _titles(api, search="ATTACHED") == ["Invoice copy"]
    assert _titles(api, search="bom dia") == ["Olá PT", "Olá"]
    assert _titles(api, search="refund invoice") == []


def test_category_tab_and_language_filters(api_for, alice, library):
    api = api_for(alice)
    assert _titles(api, category="billing") == ["Invoice copy", "Refund policy"]
    assert _titles(api, language="de") == ["Hallo"]
    assert _titles(api, language="pt") == ["Olá PT", "Olá"]
    assert _titles(api, language="pt-BR") == ["Olá"]
    assert _titles(api, category="Openers", language="pt") == ["Olá"]


def test_category_tabs_in_position_order_with_counts(api_for, alice, library):
    library["hello_de"].category.position = 1
    library["hello_de"].category.save()
    tabs = api_for(alice).get(f"{URL}categories/").json()
    assert [(tab["name"], tab["template_count"]) for tab in tabs] == [
        ("Billing", 2),
        ("Openers", 2),
    ]


def test_queue_templates_are_for_that_queues_members(api_for, alice, oscar, carol, queue_a):
    make_template(title="Everyone")
    make_template(title="Queue A only", queue=queue_a, category="Queue A tab")
    make_template(title="Queue B only", queue=QueueFactory(name="Queue B"))
    assert _titles(api_for(alice)) == ["Everyone", "Queue A only"]
    assert _titles(api_for(oscar)) == ["Everyone"]
    # Supervisors manage every template, so they see every one.
    assert _titles(api_for(carol)) == ["Everyone", "Queue A only", "Queue B only"]
    assert [tab["name"] for tab in api_for(oscar).get(f"{URL}categories/").json()] == []


def test_a_template_of_another_queue_is_not_found(api_for, oscar, queue_a):
    hidden = make_template(title="Queue A only", queue=queue_a)
    api = api_for(oscar)
    assert api.get(f"{URL}{hidden.pk}/").status_code == 404
    assert api.post(f"{URL}{hidden.pk}/render/", {}, format="json").status_code == 404
    hidden.refresh_from_db()
    assert hidden.usage_count == 0


def test_the_selector_gives_each_template_once_for_a_multi_queue_member(alice, queue_a):
    queue_b = QueueFactory(name="Queue B")
    QueueMemberFactory(queue=queue_b, agent=alice)
    make_template(title="A", queue=queue_a)
    make_template(title="B", queue=queue_b)
    assert [t.title for t in selectors.templates_for_user(user=alice)] == ["A", "B"]


def test_the_list_takes_the_same_queries_for_any_number_of_templates(api_for, alice, queue_a):
    api = api_for(alice)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(URL).status_code == 200
        return len(captured)

    make_template(title="T0", category="C0")
    few = count_queries()
    for index in range(1, 12):
        make_template(title=f"T{index}", category=f"C{index}", queue=queue_a if index % 2 else None)
    assert count_queries() == few
    assert few <= 3


def test_the_list_query_count_is_exact(api_for, alice, django_assert_num_queries):
    for index in range(5):
        make_template(title=f"T{index}", category=f"C{index}")
    api = api_for(alice)
    # One count for the page, one select of the templates with their categories.
    with django_assert_num_queries(2):
        api.get(URL)
