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


def _json_columns(model, columns: list[str]) -> list[int]:
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return [
        index for index, column in enumerate(columns) if isinstance(fields.get(column), JSONField)
    ]


def write(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (values in the order of `columns`). JSON columns take the Python value,
    as a model field does: COPY gets it encoded once, bulk_create encodes it itself."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        encoded = _json_columns(model, columns)
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
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )
