"""Choice fields in the OpenAPI document.

Our TextChoices classes are all called Kind or Status (Org.Kind, Meeting.Kind, Talk.Kind …), and
the document keeps one shared component per name, so each would overwrite the others'. Their
schemas are therefore written inline, with the Chinese label of each value.
"""

from __future__ import annotations

from django.db.models import TextChoices
from pydantic import WithJsonSchema


def inline_choices(choices: type[TextChoices]) -> WithJsonSchema:
    """The metadata of `OrgKind = Annotated[Org.Kind, inline_choices(Org.Kind)]`."""
    labels = "；".join(f"{value}：{label}" for value, label in choices.choices)
    return WithJsonSchema({"type": "string", "enum": list(choices.values), "description": labels})
