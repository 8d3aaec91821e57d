"""How a member import finds the org each row names: by code, by folded name, else by the name
as other systems write it (tiejun.org.names), in queries by the batch of rows; an org name not
found gets the likeliest org of a small scope as a suggestion."""

from __future__ import annotations

import datetime as dt
import difflib
from functools import lru_cache

from django.db.models import Q

from tiejun.accounts.models import User
from tiejun.lib.chinese import fold_name
from tiejun.org import names
from tiejun.org.access import MEMBER_HOLDING_KINDS
from tiejun.org.models import Org

# Names and codes looked up per query.
KEYS_PER_QUERY = 500
# Names looked up per query by their tails (SQLite allows 32,766 parameters).
LOOKUP_CHUNK = 2000
# An unknown org name gets a suggestion when the scope holds at most this many orgs (comparing
# with each costs microseconds), for at most this many names a file, if one is this similar.
SUGGEST_MAX_ORGS = 3000
SUGGEST_NAMES = 50
SUGGEST_CUTOFF = 0.75


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    # A sheet names the same few orgs on every row: fold each once.
    return fold_name(text)


class OrgIndex:
    """Orgs the importing user may put members into, found by folded name or by code, and else
    by the name as other systems write it (tiejun.org.names), which the preview then points out.
    """

    def __init__(self, user: User | None, today: dt.date) -> None:
        self.orgs = Org.objects.visible_to(user) if user is not None else Org.objects.all()
        self.today = today
        self.found: dict[str, Org | str] = {}  # key → org, or the reason it cannot be used
        self.loose: set[str] = set()  # keys found by tiejun.org.names, not by name or code
        self.pointed_out: set[str] = set()  # of those, the ones a warning has named
        self.candidates: dict[str, str] | None = None  # for suggestions, loaded on first need
        self.suggested = 0

    @staticmethod
    def key(text: str) -> str:
        return _folded(text)

    def load(self, keys: set[str]) -> None:
        """Find the orgs these keys (folded names and codes) stand for, those not known yet."""
        wanted = sorted(keys - self.found.keys() - {""})
        for start in range(0, len(wanted), KEYS_PER_QUERY):
            chunk = wanted[start : start + KEYS_PER_QUERY]
            by_key = self._exact(chunk)
            missing = [key for key in chunk if key not in by_key]
            loose = self._loose(missing) if missing else {}
            for key in chunk:
                self.found[key] = self._pick(key, by_key.get(key) or loose.get(key, []))
            self.loose.update(key for key in missing if isinstance(self.found[key], Org))
            self._suggest([key for key in missing if key not in by_key and not loose.get(key)])

    def _exact(self, chunk: list[str]) -> dict[str, list[Org]]:
        codes = [k.upper() for k in chunk]
        rows = self.orgs.filter(Q(name_folded__in=chunk) | Q(code__in=codes))
        by_key: dict[str, list[Org]] = {}
        for org in rows.order_by("path"):
            by_key.setdefault(org.code.lower(), []).append(org)
            if org.code.lower() != org.name_folded:
                by_key.setdefault(org.name_folded, []).append(org)
        return by_key

    def _loose(self, missing: list[str]) -> dict[str, list[Org]]:
        """Orgs by every tail of the names, then their parents' keys: queries by the batch."""
        keys = {key: names.name_key(key) for key in missing}
        looked_up = sorted({tail for k in keys.values() for tail in (k, *names.tails(k))})
        by_key: dict[str, list[Org]] = {}
        for start in range(0, len(looked_up), LOOKUP_CHUNK):
            for org in self.orgs.filter(name_key__in=looked_up[start : start + LOOKUP_CHUNK]):
                by_key.setdefault(org.name_key, []).append(org)
        parents = _parent_keys([org for orgs in by_key.values() for org in orgs])
        return {
            key: names.loose_matches(name_key, by_key, lambda org: parents[org.pk])
            for key, name_key in keys.items()
        }

    def _suggest(self, unknown: list[str]) -> None:
        """Add the likeliest org to a "not found" ("大气环境党支部" → 大气环境处党支部?), where
        the user's scope is small enough to compare names with (a province's, not a ministry's)."""
        unknown = unknown[: max(0, SUGGEST_NAMES - self.suggested)]
        if not unknown:
            return
        self.suggested += len(unknown)
        names_by_key = self._suggestible()
        for key in unknown:
            close = difflib.get_close_matches(key, names_by_key, n=1, cutoff=SUGGEST_CUTOFF)
            if close:
                self.found[key] = f"{self.found[key]}；是否为“{names_by_key[close[0]]}”？"

    def _suggestible(self) -> dict[str, str]:
        """Folded name → name of the orgs members may go into, or nothing for a big scope."""
        if self.candidates is None:
            rows = self.orgs.active(self.today).filter(kind__in=MEMBER_HOLDING_KINDS)
            found = list(rows.values_list("name_folded", "name")[: SUGGEST_MAX_ORGS + 1])
            self.candidates = dict(found) if len(found) <= SUGGEST_MAX_ORGS else {}
        return self.candidates

    def _pick(self, key: str, orgs: list[Org]) -> Org | str:
        by_code = [org for org in orgs if org.code.lower() == key]
        candidates = by_code or orgs
        if not candidates:
            return "找不到党组织“{text}”，或该组织不在您的管理范围内；请核对名称或组织代码"
        if len(candidates) > 1:
            return "有多个名为“{text}”的党组织，请填写组织代码以区分"
        org = candidates[0]
        if org.kind not in MEMBER_HOLDING_KINDS:
            return f"“{org.name}”是{org.get_kind_display()}，党员须登记在党支部等党组织"
        if not org.is_active(self.today):
            return f"“{org.name}”已撤销，不能再登记党员"
        return org

    def get(self, text: str) -> Org | str:
        """The org a loaded name or code stands for, or why none can be used (Chinese)."""
        found = self.found[self.key(text)]
        return found.replace("{text}", text[:30]) if isinstance(found, str) else found

    def first_loose_use(self, text: str) -> bool:
        """Whether `text` was found loosely and this is the first row naming it so."""
        key = self.key(text)
        if key not in self.loose or key in self.pointed_out:
            return False
        self.pointed_out.add(key)
        return True

    def names_match(self, text: str, org: Org) -> bool:
        """Whether a row's org name agrees with the org its code picked."""
        key = self.key(text)
        if key in (org.name_folded, org.code.lower()) or self.found.get(key) == org:
            return True
        return names.name_key(key) == org.name_key


def _parent_keys(orgs: list[Org]) -> dict[int, list[str]]:
    """Each org's parents' name keys, nearest first (parents outside the user's scope too:
    their names only confirm a written path)."""
    paths = {org.pk: org.ancestor_paths() for org in orgs}
    wanted = sorted({path for chain in paths.values() for path in chain})
    known: dict[str, str] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = Org.objects.filter(path__in=wanted[start : start + LOOKUP_CHUNK])
        known.update(rows.values_list("path", "name_key"))
    return {pk: [known[p] for p in reversed(chain) if p in known] for pk, chain in paths.items()}
