"""Choice fields in the OpenAPI document.

Our TextChoices classes are all called Kind or Status (Org.Kind, Meeting.Kind, Talk.Kind …), and
the document keeps one shared component per name, so each would overwrite the others'. Their
schemas are therefore written inline, with the Chinese label of each value.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import TextChoices
from pydantic import WithJsonSchema


def inline_choices(choices: type[TextChoices]) -> Any:
    """`Annotated[choices, inline schema]`, for module-level aliases such as OrgKind."""
    labels = "；".join(f"{value}：{label}" for value, label in choices.choices)
    schema = {"type": "string", "enum": list(choices.values), "description": labels}
    return Annotated[choices, WithJsonSchema(schema)]
