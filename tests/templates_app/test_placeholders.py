"""Placeholders: a whitelist checked when a template is saved, filled on insert."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from templates_app.languages import normalize_language
from templates_app.models import QuickTemplate
from templates_app.placeholders import placeholder_errors, render_template
from tests.factories import UserFactory


@pytest.fixture
def agent(db):
    return UserFactory(username="dana", first_name="Dana", last_name="Diaz", extension="214")


def test_every_whitelisted_placeholder_is_filled(agent):
    body = (
        "{{ contact.name }}|{{contact.first_name}}|{{ agent.name }}|"
        "{{ agent.first_name }}|{{  agent.extension  }}"
    )
    text = render_template(body, contact_name="Jonas Müller", agent=agent)
    assert text == "Jonas Müller|Jonas|Dana Diaz|Dana|214"


def test_an_unknown_contact_name_renders_a_neutral_fallback(agent):
    body = "Hi {{ contact.first_name }}, I am {{ agent.first_name }}."
    assert render_template(body, contact_name=None, agent=agent) == "Hi there, I am Dana."
    assert render_template(body, contact_name="   ", agent=agent) == "Hi there, I am Dana."


@pytest.mark.parametrize(
    "stand_in", ["Website visitor", "Visitor", "visitor-3f9a", "+49 176 1234567", "a@b.example"]
)
def test_a_stand_in_title_is_not_taken_for_a_name(agent, stand_in):
    body = "Hi {{ contact.first_name }} ({{ contact.name }})"
    assert render_template(body, contact_name=stand_in, agent=agent) == "Hi there (there)"


def test_an_empty_agent_value_still_takes_its_space_along(db):
    agent = UserFactory(username="x42", extension=None)
    assert render_template("ext {{ agent.extension }}.", contact_name="", agent=agent) == "ext."


def test_an_agent_without_names_or_extension_falls_back_to_the_username(db):
    agent = UserFactory(username="x42", first_name="", last_name="", extension=None)
    body = "{{ agent.first_name }} / {{ agent.name }} / ext{{ agent.extension }}"
    assert render_template(body, contact_name="Ann", agent=agent) == "x42 / x42 / ext"


def test_user_text_is_not_a_django_template(agent):
    body = "{% if 1 %}x{% endif %} {{ contact.name|upper }} <b>{{ contact.name }}</b>"
    # Template tags stay literal text; a filter is not a whitelisted name (refused on save).
    assert placeholder_errors(body)
    text = render_template(
        "{% now 'Y' %} <b>{{ contact.name }}</b>", contact_name="A&B", agent=agent
    )
    assert text == "{% now 'Y' %} <b>A&B</b>"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("Dear {{ contact.email }}", "Unknown placeholder {{ contact.email }}"),
        ("{{ agent.password }}", "Unknown placeholder {{ agent.password }}"),
        ("{{ contact.name|upper }}", "Unknown placeholder"),
        ("Hi {{ contact.name", "not closed"),
        ("Hi contact.name }}", "not closed"),
    ],
)
def test_unknown_or_broken_placeholders_are_refused_on_save(db, body, fragment):
    template = QuickTemplate(title="Bad", body=body, language="en")
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert any(fragment in message for message in caught.value.message_dict["body"])


def test_the_error_lists_what_is_allowed(db):
    errors = placeholder_errors("{{ contact.phone }}")
    assert "{{ contact.first_name }}" in errors[0]
    assert "{{ agent.extension }}" in errors[0]


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("en", "en"),
        ("DE", "de"),
        ("pt-br", "pt-BR"),
        ("pt_BR", "pt-BR"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("sl-rozaj", "sl-rozaj"),
    ],
)
def test_language_tags_are_stored_in_canonical_case(tag, canonical):
    assert normalize_language(tag) == canonical


@pytest.mark.parametrize("tag", ["", "english", "e", "en-", "en-USA-x", "12", "en US"])
def test_malformed_language_tags_are_refused(tag):
    with pytest.raises(ValidationError):
        normalize_language(tag)


def test_model_clean_normalizes_the_language(db):
    template = QuickTemplate(title="Olá", body="Olá!", language="pt-br")
    template.full_clean()
    assert template.language == "pt-BR"
