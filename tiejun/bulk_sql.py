"""Plain multi-row INSERTs for bulk writes (member imports, audit batches, demo data).

QuerySet.bulk_create compiles every value through the ORM's expression machinery (about 60 µs a
row on SQLite); these writes are thousands of plain rows, so they go as one parameterised
statement per batch through executemany, each value through its own field's conversion.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router


def insert_rows(objects: Sequence[models.Model]) -> None:
    """INSERT model objects of one model (primary keys are not read back)."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
