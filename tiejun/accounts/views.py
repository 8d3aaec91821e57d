from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiejun.accounts import audit
from tiejun.accounts.forms import ChangePasswordForm, LoginForm
from tiejun.accounts.models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def locked_out(request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object) -> HttpResponse:
    # Same wording whether or not the account exists (SECURITY.md item 4).
    form = LoginForm(request)
    form.add_error(None, _("登录失败次数过多，请稍后再试。"))
    return render(request, "accounts/login.html", {"form": form}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session row (SECURITY.md item 5)
    return redirect("accounts:login")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ChangePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        update_session_auth_hash(request, form.user)  # a new session key, same login
        audit.record("password_change", request=request)
        messages.success(request, _("口令已修改。"))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})
