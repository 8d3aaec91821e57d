from __future__ import annotations

from django import template

from tiejun.accounts.audit import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """The Chinese name of an audited action code."""
    return _action_label(action)
