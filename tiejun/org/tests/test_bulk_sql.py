"""The plain bulk writer against the ORM: what it writes must read back as what .save() writes."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tiejun.bulk_sql import insert_rows, insert_values
from tiejun.life.models import Attachment
from tiejun.life.tests.helpers import make_meeting
from tiejun.org.models import Member, MemberChange
from tiejun.testing import make_id_number, make_member

STATE = {"name": "張海冰", "org_id": 7, "joined_on": "2019-07-01", "full_on": None, "n": 1.5}


# Columns two members hold differently whatever wrote them: keys, ciphertext, timestamps.
_OWN = ("id", "id_cipher", "created_at", "updated_at")


def _as_saved(member: Member) -> dict[str, object]:
    row = Member.objects.filter(pk=member.pk).values().get()
    return {name: value for name, value in row.items() if name not in _OWN}


def _unsaved_twin(member: Member, serial: int) -> Member:
    twin = Member(**{f.attname: getattr(member, f.attname) for f in Member._meta.concrete_fields})
    twin.pk = None
    twin.set_id_number(make_id_number(member.birth_date, serial))
    return twin


def test_members_written_in_bulk_read_back_as_saved_ones(people):
    saved = make_member(people.branch_a, "张海冰")
    twin = _unsaved_twin(saved, serial=77)
    insert_rows([twin])
    written = Member.objects.get(id_digest=twin.id_digest)
    expected = {**_as_saved(saved), "id_digest": twin.id_digest, "id_masked": twin.id_masked}
    assert _as_saved(written) == expected
    assert written.id_number() == twin.id_number()
    assert written.created_at == written.updated_at == twin.created_at  # one stamp a batch


def test_json_written_in_bulk_reads_back_and_can_be_queried(people):
    member = make_member(people.branch_a, "张海冰")
    changes = {"name": [None, "張海冰"], 3: ["a", "b"]}  # a key that is not text, as json allows
    insert_values(MemberChange, [{
        "member_id": member.pk, "kind": MemberChange.Kind.imported, "effective_on": dt.date.today(),
        "changes": changes, "state": STATE, "org_id": member.org_id, "org_path": member.org_path,
        "category": member.category, "status": member.status,
    }])  # fmt: skip
    row = MemberChange.objects.filter(member=member, kind=MemberChange.Kind.imported).get()
    assert row.state == STATE
    assert row.changes == {"name": [None, "張海冰"], "3": ["a", "b"]}
    assert row.recorded_at is not None and row.valid_to is None and row.reason == ""
    assert MemberChange.objects.filter(state__name="張海冰", state__org_id=7).get() == row


def test_a_field_with_its_own_pre_save_still_runs_it(people, settings, tmp_path):
    # A file field stores its file in pre_save: a plain read of the attribute would skip that.
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    meeting = make_meeting(people.branch_a)
    upload = Attachment(meeting=meeting, name="签到表.pdf", content_type="application/pdf", size=3)
    upload.file = ContentFile(b"%PD", name="sign.pdf")
    insert_rows([upload])
    stored = Attachment.objects.get(meeting=meeting)
    assert stored.file.name.startswith("meetings/") and stored.file.name.endswith(".pdf")
    assert default_storage.open(stored.file.name).read() == b"%PD"
