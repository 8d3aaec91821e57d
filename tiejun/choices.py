"""Choice labels looked up in a table built once per field and language."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


class ChoiceLabels:
    """For models whose choice labels are shown row by row: lists, ledgers, API pages.

    Django's get_FOO_display builds a dict of the field's choices and resolves the lazy label
    on every call (9 µs); the member list page calls it 60 times, the API page 40. Mixed in
    before models.Model, this is the method each get_FOO_display calls.
    """

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        value = getattr(self, field.attname)
        label = _labels(field, get_language()).get(make_hashable(value), value)
        return force_str(label, strings_only=True)


@lru_cache(maxsize=512)
def _labels(field: models.Field[Any, Any], language: str | None) -> dict[Any, str]:
    # The active language is part of the key: labels are lazy translations.
    return {make_hashable(value): str(label) for value, label in field.flatchoices}
