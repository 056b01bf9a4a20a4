"""The portal's names for agencies, fields, tiers and subjects → catalogue ids.

`co_quan_thuc_hien` comes in ~90 spellings, some of them lists ("A, B")
whose names themselves contain commas ("… trật tự, xã hội"). A list is cut
before ", " and a capital; the longest run of parts that is a known
spelling wins; an unknown part is a body met for the first time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..models import Agency, Subject, Tier
from .text import UPPER, fold, one_line, slugify

_NAME_SPLIT = re.compile(rf", (?=[{UPPER}])")
EDITORIAL = Path("import") / "dichvucong.yaml"


@dataclass
class Directory:
    """The agencies of a catalogue and the portal spellings that name them.

    Read from the catalogue's own agencies.yaml and import/dichvucong.yaml
    (editorial data a pull request edits); a body met for the first time is
    added with the portal's spelling and the tier the record gives. Entries
    already there are never changed.
    """

    agencies: dict[str, dict[str, Any]] = field(default_factory=dict)
    spellings: dict[str, str] = field(default_factory=dict)
    curation: dict[str, dict[str, Any]] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path | None) -> Directory:
        """The editorial data under `root` (a catalogue folder); empty when there is none yet."""
        out = cls()
        if root is None:
            return out
        agencies = _yaml(root / "agencies.yaml").get("agencies") or []
        out.agencies = {a["id"]: a for a in agencies if isinstance(a, dict) and isinstance(a.get("id"), str)}
        editorial = _yaml(root / EDITORIAL)
        out.spellings = dict(editorial.get("spellings") or {})
        out.curation = {str(k): v for k, v in (editorial.get("procedures") or {}).items()}
        return out

    def _known(self) -> dict[str, str]:
        """Spelling → agency id: every agency's own name, then the portal spellings (which win)."""
        names = {_key(str(a.get("name", ""))): i for i, a in self.agencies.items()}
        return names | {_key(s): i for s, i in self.spellings.items() if i in self.agencies}

    def bodies(self, text: str, tiers: list[str]) -> list[str]:
        """The agency ids `text` names; an unknown name becomes a new agency (portal spelling, record's tier)."""
        names = _NAME_SPLIT.split(one_line(text).rstrip("."))
        ids: list[str] = []
        start = 0
        while start < len(names):
            found = self._longest(names, start)
            if found is None:
                found = (self._add(names[start], tiers), start + 1)
            if found[0] not in ids:
                ids.append(found[0])
            start = found[1]
        return ids

    def _longest(self, names: list[str], start: int) -> tuple[str, int] | None:
        known = self._known()
        for end in range(len(names), start, -1):
            agency = known.get(_key(", ".join(names[start:end])))
            if agency is not None:
                return agency, end
        return None

    def _add(self, name: str, tiers: list[str]) -> str:
        base = slugify(name, 80) or "co-quan"
        agency_id, n = base, 2
        while agency_id in self.agencies:
            agency_id, n = f"{base[:76]}-{n}", n + 1
        tier = _tier_in_name(name) or (tiers[0] if len(tiers) == 1 else Tier.KHAC.value)
        self.agencies[agency_id] = {"id": agency_id, "name": name, "tier": tier}
        self.spellings[name] = agency_id
        self.added.append(agency_id)
        return agency_id

    def agency_list(self) -> list[Agency]:
        """agencies.yaml: the editorial entries as they are, then the new ones by id."""
        return [Agency.model_validate(a) for a in self.agencies.values()]

    def editorial(self) -> dict[str, Any]:
        return {"spellings": self.spellings, "procedures": self.curation}


def _key(text: str) -> str:
    return fold(one_line(text)).rstrip(".")


def _tier_in_name(name: str) -> str | None:
    """The tier a body's own name states ("… cấp tỉnh", "Bộ …", "… Việt Nam"), before the record's tier:
    the record's tier is the procedure's, and a national body named by a commune procedure stays national."""
    folded = fold(name)
    for words, tier in (("cap xa", Tier.XA), ("cap tinh", Tier.TINH), ("cap huyen", Tier.HUYEN)):
        if words in folded:
            return tier.value
    if folded.startswith(("bo ", "cuc ", "tong cuc ")) or folded.endswith((" viet nam", " trung uong")):
        return Tier.BO.value
    return None


def _yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


TIERS = {"Cấp bộ": Tier.BO, "Cấp tỉnh": Tier.TINH, "Cấp huyện": Tier.HUYEN, "Cấp xã": Tier.XA,
         "Cơ quan khác": Tier.KHAC}

SUBJECTS = {
    "Công dân Việt Nam": Subject.CONG_DAN,
    "Người Việt Nam định cư ở nước ngoài": Subject.NGUOI_VIET_NAM_O_NUOC_NGOAI,
    "Người nước ngoài cư trú tại Việt Nam": Subject.NGUOI_NUOC_NGOAI,
    "Người nước ngoài": Subject.NGUOI_NUOC_NGOAI,
    "Cán bộ, công chức, viên chức": Subject.CAN_BO,
    "Doanh nghiệp có vốn đầu tư nước ngoài": Subject.DOANH_NGHIEP_FDI,
    "Doanh nghiệp Việt Nam": Subject.DOANH_NGHIEP,
    "Doanh nghiệp": Subject.DOANH_NGHIEP,
    "Hợp tác xã": Subject.HOP_TAC_XA,
    "Tổ chức (không bao gồm doanh nghiệp, HTX)": Subject.TO_CHUC,
    "Tổ chức nước ngoài": Subject.TO_CHUC_NUOC_NGOAI,
}


def split_labels(text: str, labels: dict[str, Tier] | dict[str, Subject]) -> tuple[list[str], str]:
    """Values of the labels listed in `text` ("A, B"), in order, and any unmatched rest."""
    rest, found = one_line(text), list[str]()
    ordered = sorted(labels, key=len, reverse=True)
    while rest:
        label = next((k for k in ordered if rest == k or rest.startswith(k + ", ")), None)
        if label is None:
            return found, rest
        value = str(labels[label])
        if value not in found:
            found.append(value)
        rest = rest[len(label):].removeprefix(", ")
    return found, ""


def field_id(name: str) -> str:
    """A field's id: the slug of its portal name."""
    return slugify(name, 80)
