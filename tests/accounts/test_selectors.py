"""`active_user_for_token` is the websocket handshake's token lookup, its SQL written once:
it must give what Django's query gives, field for field."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from rest_framework.authtoken.models import Token

from chatdesk.accounts.models import User
from chatdesk.accounts.selectors import active_user_for_token

pytestmark = pytest.mark.django_db


def _orm(key: str) -> User | None:
    try:
        return Token.objects.select_related("user").get(key=key, user__is_active=True).user
    except Token.DoesNotExist:
        return None


def test_a_token_gives_its_user_field_for_field(alice, oscar):
    for user in (alice, oscar):
        key = Token.objects.create(user=user).key
        found = active_user_for_token(key)
        expected = _orm(key)
        assert isinstance(found, User) and found.pk == user.pk
        assert model_to_dict(found) == model_to_dict(expected)
        assert found.role == expected.role and found.last_login == expected.last_login
        # A saved row, as the ORM would load it: a later save() is an UPDATE.
        assert not found._state.adding and found._state.db == "default"
        assert found.is_authenticated and found.is_supervisor == expected.is_supervisor


def test_an_inactive_user_or_an_unknown_key_gives_none(alice, bob):
    key = Token.objects.create(user=alice).key
    bob_key = Token.objects.create(user=bob).key
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert active_user_for_token(key) is None and _orm(key) is None
    assert active_user_for_token("0" * 40) is None
    assert active_user_for_token(bob_key).pk == bob.pk


def test_a_key_is_a_parameter_not_sql(alice):
    Token.objects.create(user=alice)
    assert active_user_for_token("' OR '1'='1") is None
