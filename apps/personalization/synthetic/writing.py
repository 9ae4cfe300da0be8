"""Bulk writes for the generator: keys taken in ranges, rows written by COPY on PostgreSQL
and by bulk_create elsewhere. Rows hold Python values, as the ORM would store them."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import JSONField

# Held while a process takes a range of keys, so processes writing at once never share one.
RESERVE_LOCK = 7_400_117


def reserve_ids(model, count: int) -> int:
    """The first of `count` fresh primary keys, taken from the table's sequence in one go."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A session lock, released at once rather than at the chunk's commit; the
            # savepoint keeps the session usable for the release if taking the keys fails.
            cursor.execute("SELECT pg_advisory_lock(%s)", [RESERVE_LOCK])
            try:
                with transaction.atomic():
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        "GREATEST((SELECT COALESCE(MAX(id), 0) FROM " + table + "), "
                        "(SELECT last_value FROM " + table + "_id_seq)) + %s) - %s + 1",
                        [table, count, count],
                    )
                    return cursor.fetchone()[0]
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RESERVE_LOCK])
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _fields(model, columns: list[str]) -> list:
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return [fields[column] for column in columns]


def write(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (values in the order of `columns`, every column without a database
    default named). Values are Python values, as a model field takes them: each field
    prepares its own for the database, so a JSON value is encoded once on every backend."""
    if not rows:
        return
    table = model._meta.db_table
    fields = _fields(model, columns)
    if connection.vendor == "postgresql":
        encoded = [index for index, field in enumerate(fields) if isinstance(field, JSONField)]
        raw = connection.connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                if encoded:
                    row = list(row)
                    for index in encoded:
                        row[index] = json.dumps(row[index], cls=DjangoJSONEncoder)
                copy.write_row(row)
        return
    # One statement run for every row, without building model instances: several times
    # faster than bulk_create on SQLite.
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [
                    field.get_db_prep_save(value, connection)
                    for field, value in zip(fields, row, strict=True)
                ]
                for row in rows
            ],
        )
