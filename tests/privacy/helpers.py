"""Looking for personal values anywhere in the database, the way an auditor would."""

import json

from django.db import connection

TEXT_TYPES = ("char", "text", "json", "clob", "varchar")


def _text_columns() -> list[tuple[str, str]]:
    columns = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                field_type = connection.introspection.get_field_type(column.type_code, column)
                if any(kind in field_type.lower() for kind in TEXT_TYPES):
                    columns.append((table, column.name))
    return columns


def tables_containing(values: list[str]) -> dict[str, list[str]]:
    """Every text, char and JSON column of every table that contains one of the values (as
    written, or as JSON writes it), named "table.column" per value."""
    quote = connection.ops.quote_name
    cast = "TEXT" if connection.vendor == "sqlite" else "text"
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            for value in values:
                spellings = {value, json.dumps(value)[1:-1]}
                for spelling in spellings:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} "
                        f"WHERE CAST({quote(column)} AS {cast}) LIKE %s",
                        [f"%{spelling}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.setdefault(value, []).append(f"{table}.{column}")
    return found
