"""The template services, directly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from templates_app import services
from templates_app.models import Category, QuickTemplate


def test_uses_from_stale_copies_all_count(greeting):
    first, second = QuickTemplate.objects.get(), QuickTemplate.objects.get()
    services.template_use(template=first)
    services.template_use(template=second)
    greeting.refresh_from_db()
    assert greeting.usage_count == 2


def test_create_validates_and_resolves_the_category(carol):
    template = services.template_create(
        created_by=carol,
        title="Bye",
        body="Bye {{ contact.name }}",
        category=" Closers ",
        language="EN",
    )
    assert (template.category.name, template.language, template.created_by) == (
        "Closers",
        "en",
        carol,
    )
    with pytest.raises(ValidationError):
        services.template_create(created_by=carol, title="Bad", body="{{ nope }}")
    assert QuickTemplate.objects.count() == 1


def test_update_clears_the_category_and_refuses_other_fields(greeting):
    services.template_update(template=greeting, changes={"category": "", "title": "Hi"})
    greeting.refresh_from_db()
    assert (greeting.title, greeting.category) == ("Hi", None)
    assert Category.objects.filter(name="Openers").exists()  # a tab outlives its templates
    with pytest.raises(ValueError, match="usage_count"):
        services.template_update(template=greeting, changes={"usage_count": 99})


def test_delete(greeting):
    services.template_delete(template=greeting)
    assert not QuickTemplate.objects.exists()
