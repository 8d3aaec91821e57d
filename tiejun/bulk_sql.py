"""Plain bulk INSERTs for rows by the thousand (member imports, audit batches, demo data).

QuerySet.bulk_create compiles every value through the ORM's expression machinery (about 60 µs a
row on SQLite). These writes carry values that are already of their fields' Python types (a
form's or the importer's cleaned values), so only the conversions a driver needs are applied —
dates and datetimes for SQLite, JSON (by orjson), and the ORM's own conversion for any other
field type — and the rows go as one executemany on SQLite or one COPY on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache, partial
from operator import attrgetter
from typing import Any

import orjson
from django.db import connections, models, router
from django.utils import timezone

Adapter = Callable[[Any], Any]
# Values of these field types reach every supported driver as they are.
_AS_IS = frozenset(
    ["CharField", "TextField", "BooleanField", "IntegerField", "BigIntegerField",
     "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
     "PositiveSmallIntegerField", "ForeignKey", "AutoField", "BigAutoField"]
)  # fmt: skip


def _adapter(field: models.Field[Any, Any], connection: Any) -> Adapter | None:
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField":  # a batch's rows share a timestamp or a few: convert each once
        return lru_cache(maxsize=64)(connection.ops.adapt_datetimefield_value)
    if kind == "DateField":
        return connection.ops.adapt_datefield_value  # type: ignore[no-any-return]
    if kind == "JSONField" and field.encoder is None:  # type: ignore[attr-defined]
        return _json_text
    if kind == "JSONField":
        return partial(connection.ops.adapt_json_value, encoder=field.encoder)  # type: ignore[attr-defined]
    return partial(field.get_db_prep_save, connection=connection)


def _json_text(value: Any) -> str:
    # The JSON json.dumps writes (with UTF-8 text where it writes \u escapes) in a sixth of its
    # time: each imported member's history row holds two documents of a dozen fields.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _write(model: type[models.Model], fields: list[Any], rows: Iterable[list[Any]]) -> None:
    connection = connections[router.db_for_write(model)]
    adapters = [_adapter(field, connection) for field in fields]
    converted = [
        [value if adapt is None or value is None else adapt(value)
         for value, adapt in zip(row, adapters, strict=True)]
        for row in rows
    ]  # fmt: skip
    quote = connection.ops.quote_name
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in converted:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {target} VALUES ({marks})", converted)


def insert_rows(objects: Sequence[models.Model]) -> None:
    """INSERT model objects of one model; a primary key left empty is left to the database
    (and not read back). `pre_save` runs; auto_now fields get one time for the batch."""
    if not objects:
        return
    model = type(objects[0])
    fields = [
        f for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objects[0], f.attname) is None)
    ]  # fmt: skip
    now = timezone.now()  # what pre_save gives auto_now fields, one time for the whole batch
    stamped = [field.attname for field in fields if _stamped(field)]
    for obj in objects:
        for name in stamped:
            setattr(obj, name, now)
    if all(type(field).pre_save in _ATTRIBUTE_PRE_SAVE for field in fields):
        read = attrgetter(*(field.attname for field in fields))  # one C call an object
        rows: Iterable[Any] = (
            map(read, objects) if len(fields) > 1 else ([read(o)] for o in objects)
        )
    else:
        rows = ([field.pre_save(obj, True) for field in fields] for obj in objects)
    _write(model, fields, rows)


# pre_save of these gives the attribute as it is (auto_now stamps aside, set above).
_ATTRIBUTE_PRE_SAVE = frozenset(
    [models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save]
)


def _stamped(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def insert_values(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT rows given as {attname: value} without building model objects.

    A column a row leaves out gets its field's default; auto_now and auto_now_add columns get
    one timestamp for the whole batch. The primary key is left to the database.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    fallback = {field.attname: now if _stamped(field) else field.get_default() for field in fields}
    names = [field.attname for field in fields]
    _write(model, fields, ([row.get(name, fallback[name]) for name in names] for row in rows))
