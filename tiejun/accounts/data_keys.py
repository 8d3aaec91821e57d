"""Rotation of the personal-data keys (SECURITY.md item 14).

Order matters for a crash half-way: the key file gains the new key first (old keys stay, so
every row still opens), then rows are re-encrypted batch by batch, each batch in its own
transaction. Re-running with --resume finishes whatever a crash left, because each row is
judged by its own key id and digest, not by a progress marker.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from django.db import transaction

from tiejun.lib import crypto
from tiejun.org.models import Member


def next_key_id(ring: crypto.Keyring) -> str:
    numbers = [int(key_id[1:]) for key_id in ring.keys if key_id[1:].isdigit()]
    return f"k{max(numbers, default=0) + 1}"


def with_new_key(ring: crypto.Keyring, *, rotate_lookup: bool) -> crypto.Keyring:
    """The ring with a fresh current key (old keys kept: older backups must stay readable)."""
    key_id = next_key_id(ring)
    size = len(ring.keys[ring.current])
    keys = {**ring.keys, key_id: secrets.token_bytes(size)}
    lookup = secrets.token_bytes(len(ring.lookup)) if rotate_lookup else ring.lookup
    return replace(ring, current=key_id, keys=keys, lookup=lookup)


def key_id_of(token: str) -> str:
    return token.partition(":")[0]


def _reencrypt_batch(ring: crypto.Keyring, after_pk: int, size: int) -> tuple[int, int | None]:
    """Re-encrypt one batch of members; (rows changed, last pk seen or None when done)."""
    with transaction.atomic():
        rows = list(
            Member.objects.select_for_update()
            .filter(pk__gt=after_pk)
            .order_by("pk")
            .only("pk", "id_cipher", "id_digest")[:size]
        )
        if not rows:
            return 0, None
        stale = []
        for member in rows:
            plain = crypto.decrypt(member.id_cipher, ring)
            digest = crypto.lookup_digest(plain, ring)
            if key_id_of(member.id_cipher) != ring.current or member.id_digest != digest:
                member.id_cipher = crypto.encrypt(plain, ring)
                member.id_digest = digest
                stale.append(member)
        # bulk_update leaves version and updated_at alone: the record did not change for users.
        Member.objects.bulk_update(stale, ["id_cipher", "id_digest"])
        return len(stale), rows[-1].pk


def reencrypt_members(ring: crypto.Keyring, *, batch_size: int = 500) -> int:
    """Bring every Member.id_cipher to the current key and every digest to the lookup key."""
    changed, after_pk = 0, 0
    while True:
        count, last = _reencrypt_batch(ring, after_pk, batch_size)
        if last is None:
            return changed
        changed, after_pk = changed + count, last
