"""The few places that lean on Django or Channels internals, each pinned here.

Each one stays because measuring it against the framework's public way showed it pays
(docs/performance.md, "Framework overrides"). An upgrade that changes what it relies
on must fail here, loudly, before it fails in production: re-read the internal named
in the failing test, adapt the code (or return to the public API), then move the pin.
"""

from __future__ import annotations

import inspect

import django
import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.models import Model
from django.db.models.expressions import Col

from chatdesk.accounts.models import User
from chatdesk.inbox.models import Attachment
from chatdesk.rawsql import Columns, table
from tests.factories import MessageFactory

# The versions whose internals the code below was read against.
DJANGO_CHECKED = (5, 2)


def test_django_is_the_version_whose_internals_were_checked():
    assert django.VERSION[:2] == DJANGO_CHECKED, (
        f"Django {django.get_version()}: re-check chatdesk/rawsql.py's Columns against "
        "this version's Field.get_col, database converters and Model.from_db, then move "
        "DJANGO_CHECKED"
    )


def test_columns_relies_on_field_get_col_and_the_database_converters():
    field = User._meta.get_field("last_login")
    assert list(inspect.signature(type(field).get_col).parameters) == [
        "self",
        "alias",
        "output_field",
    ]
    col = field.get_col("u")
    assert isinstance(col, Col) and col.alias == "u" and col.target is field
    assert list(inspect.signature(connection.ops.get_db_converters).parameters) == ["expression"]
    assert list(inspect.signature(col.get_db_converters).parameters) == ["connection"]
    # A converter is called as the ORM's compiler calls it: (value, expression, connection).
    for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
        assert len(inspect.signature(convert).parameters) == 3


def test_columns_relies_on_model_from_db_and_concrete_fields():
    assert list(inspect.signature(Model.from_db.__func__).parameters) == [
        "cls",
        "db",
        "field_names",
        "values",
    ]
    assert all(field.concrete for field in User._meta.concrete_fields)


@pytest.mark.django_db
def test_columns_reads_a_row_as_the_orm_does(alice):
    columns = Columns([(User, "u")])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql} FROM {table(User)} u WHERE u.id = %s", [alice.pk])
        (found,) = columns.instances(cursor.fetchone())
    expected = User.objects.get(pk=alice.pk)
    assert [getattr(found, f.attname) for f in User._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in User._meta.concrete_fields
    ]
    assert not found._state.adding and found._state.db == connection.alias


@pytest.mark.django_db
def test_a_prefetched_empty_attachment_list_spares_the_new_messages_event_a_query(
    django_assert_num_queries,
):
    # chatdesk/inbox/services/receive.py sets Django's prefetch cache by its private name
    # (`_prefetched_objects_cache`) on a message just created, which has no files yet.
    message = MessageFactory()
    message._prefetched_objects_cache = {"attachments": Attachment.objects.none()}
    with django_assert_num_queries(0):
        assert list(message.attachments.all()) == []


@pytest.mark.django_db
def test_a_workers_database_settings_are_the_connections_own():
    # chatdesk/celery.py sets CONN_MAX_AGE and CONN_HEALTH_CHECKS in settings.DATABASES
    # when a worker process starts: that reaches the connections because Django's
    # connection handler hands each wrapper the settings' own dict, not a copy.
    assert connections["default"].settings_dict is settings.DATABASES["default"]
