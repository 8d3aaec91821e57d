"""Member import pages: upload → preview (counts, first rows, warnings, every error) → confirm.

An upload is checked (SECURITY.md item 20) and kept under MEDIA_ROOT/imports/<random token>,
outside the web root, with its owner; only that user can preview, confirm or fetch its error
list. Confirm reads the stored file again and checks every row again inside the saving
transaction, so what is saved is what the rules allow now, not what they allowed at preview.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tiejun.accounts.decorators import current_user, require
from tiejun.accounts.models import User
from tiejun.lib.tabular import TableError, inspect_file
from tiejun.org.exchange import error_workbook, template_workbook, xlsx_response
from tiejun.org.importer import import_members, plan_import

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
# Uploads nobody confirmed are removed when a later upload arrives after this long.
UPLOAD_KEEP_SECONDS = 24 * 3600


class UploadForm(forms.Form):
    file = forms.FileField(
        label="党员名册文件", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"})
    )


@dataclass(frozen=True)
class StoredUpload:
    """An uploaded file kept for preview and confirm, and whose it is."""

    token: str
    folder: Path
    name: str
    kind: str
    owner: int

    @property
    def path(self) -> Path:
        return self.folder / "data"

    def delete(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def store_upload(upload: UploadedFile, user: User) -> StoredUpload:
    """Write the upload under a fresh token and check it; a refused file is deleted at once."""
    if (upload.size or 0) > settings.UPLOAD_MAX_BYTES:
        raise TableError(f"文件过大，上限为 {settings.UPLOAD_MAX_BYTES / 1048576:.0f} MB。")
    _remove_stale_uploads()
    token = secrets.token_urlsafe(24)
    folder = _uploads_root() / token
    folder.mkdir(parents=True, mode=0o700)
    name = Path(upload.name or "upload").name[:100]
    try:
        with (folder / "data").open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        kind = inspect_file(folder / "data", name, max_bytes=settings.UPLOAD_MAX_BYTES)
    except TableError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    meta = {"name": name, "kind": kind, "owner": user.pk, "at": time.time()}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
    return StoredUpload(token, folder, name, kind, user.pk)


def upload_for_user(user: User, token: str) -> StoredUpload:
    """The user's own upload, or 404: another user's token is as unknown as a made-up one."""
    if not _TOKEN.fullmatch(token):
        raise Http404
    folder = _uploads_root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        raise Http404 from None
    if meta.get("owner") != user.pk:
        raise Http404
    return StoredUpload(token, folder, meta["name"], meta["kind"], meta["owner"])


def _remove_stale_uploads() -> None:
    root = _uploads_root()
    if not root.is_dir():
        return
    cutoff = time.time() - UPLOAD_KEEP_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


@require("member.import")
def import_start(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = store_upload(form.cleaned_data["file"], current_user(request))
        except TableError as error:
            form.add_error("file", error.message)
        else:
            return redirect("org:import_preview", token=upload.token)
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    return render(request, "org/import.html", {"form": form, "max_mb": max_mb})


@require("member.import")
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    user = current_user(request)
    upload = upload_for_user(user, token)
    plan = plan_import(path=upload.path, kind=upload.kind, user=user)
    return render(request, "org/import_preview.html", {"upload": upload, "plan": plan})


@require("member.import")
@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = current_user(request)
    upload = upload_for_user(user, token)
    try:
        plan = import_members(path=upload.path, kind=upload.kind, user=user, source=upload.name,
                              request=request)  # fmt: skip
    except DatabaseError:
        messages.error(request, "保存时数据库出错，未导入任何数据，请稍后重试。")
        return redirect("org:import_preview", token=token)
    if not plan.saved:
        context = {"upload": upload, "plan": plan, "refused": True}
        return render(request, "org/import_preview.html", context, status=400)
    upload.delete()
    counts = plan.counts()
    messages.success(
        request,
        f"导入完成：新增 {counts['new']} 名，更新 {counts['updated']} 名，"
        f"{counts['unchanged']} 名无变化。",
    )
    return redirect("org:member_list")


@require("member.import")
def import_errors(request: HttpRequest, token: str) -> HttpResponse:
    user = current_user(request)
    upload = upload_for_user(user, token)
    plan = plan_import(path=upload.path, kind=upload.kind, user=user)
    return xlsx_response(
        error_workbook(plan.problems), f"导入错误清单-{Path(upload.name).stem}.xlsx"
    )


@require("member.import")
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_workbook(), "党员信息导入模板.xlsx")
