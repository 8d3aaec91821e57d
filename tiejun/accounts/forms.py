from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One message for a wrong password, an unknown user and a disabled account alike.
    error_messages = {
        "invalid_login": _("用户名或口令不正确。"),
        "inactive": _("用户名或口令不正确。"),
    }

    username = forms.CharField(label=_("用户名"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("口令"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ChangePasswordForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("原口令不正确。"),
        "password_mismatch": _("两次输入的新口令不一致。"),
    }
