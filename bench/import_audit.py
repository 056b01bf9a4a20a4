"""Audit of the importer on real portal records: legal numbers and fees.

Prints counts, nothing else:
    .venv/bin/python bench/import_audit.py /work/shared/data/dichvucong/*/*.json

Legal bases. Every imported number must match the grammar of document
numbers (generator/importers/document_codes.yaml) whole, occur verbatim in the
record's own text, and not be a prefix of a longer number there. A phantom
row is one whose title is a fragment (no word of three letters). A lost
number is one the record's text gives that is neither a row's number nor
kept in a review marker. A valid row pushed to review is a review marker of
the legal basis whose text the grammar reads as exactly one title + number.

Fees. A definitive fee (a bare figure, or "Miễn phí") whose own row's note
names a different amount or says the HĐND sets it; a VND figure under 1,000;
a currency that differs from the one the row's note states; a channel row
that is a stage of the procedure ("Bước …", or a row repeating a channel
whose description is a step of an office).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from generator.importers import dichvucong
from generator.importers.numbers import number_pattern
from generator.importers.text import clean
from generator.models import Currency, Procedure
from generator.search_index import is_free

_WORD = re.compile(r"[^\W\d_]{3,}")
_HDND = re.compile(r"(?i)hội đồng nhân dân|HĐND")
_MONEY = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(đồng|VNĐ|USD|đ\b)")
_STAGE = re.compile(r"^\s*(?:[-*•+]\s*)?(?:Bước\b|Cơ quan chuyên môn|Chủ tịch Ủy ban|Thẩm định)")


def main(paths: list[Path]) -> None:
    counts: Counter[str] = Counter()
    raw = {}
    for path in dichvucong.record_files(paths):
        record = json.loads(path.read_text("utf-8"))
        raw[record["ma_thu_tuc"]] = unicodedata.normalize("NFC", record.get("can_cu_phap_ly") or "")
    imported = dichvucong.import_files(paths)
    for procedure in imported.procedures:
        counts["records"] += 1
        _legal(procedure, raw[procedure.code], counts)
        _fees(procedure, counts)
    for key, value in counts.items():
        print(f"{key}: {value}")


def _legal(procedure: Procedure, raw: str, counts: Counter[str]) -> None:
    text = clean(raw).replace("\n", " ")
    grammar = number_pattern()
    kept = " ".join(r.original or "" for r in procedure.review if r.field.startswith("legal_basis"))
    numbers = {b.number for b in procedure.legal_basis if b.number}
    for basis in procedure.legal_basis:
        counts["legal rows"] += 1
        number = basis.number or ""
        if not grammar.fullmatch(number):
            counts["legal numbers not matching the grammar (run on or cut)"] += 1
        elif number not in text:
            counts["legal numbers not in the record verbatim"] += 1
        elif not any((m := grammar.match(text, i.start())) and m.group(0) == number
                     for i in re.finditer(re.escape(number), text)):
            counts["legal numbers only a prefix of a longer number (truncated)"] += 1
        title = basis.title.replace(number, "")
        if not _WORD.search(title) and basis.title != number:
            counts["legal phantom rows (title a fragment)"] += 1
    for match in grammar.finditer(text):
        given = match.group(0)
        if given not in kept and not any((given.endswith(n) and given[:len(given) - len(n)].isdigit())
                                         or n == given for n in numbers) and not any(
                given in b.title for b in procedure.legal_basis):
            counts["legal numbers in the record lost"] += 1
    for review in procedure.review:
        if review.field.startswith("legal_basis") and review.original:
            found = list(grammar.finditer(review.original))
            if found and found[-1].end() == len(review.original) and _WORD.search(
                    review.original[:found[-1].start()]) and not re.search(r"\d$", review.original[:found[-1].start()]):
                counts["legal valid rows pushed to review"] += 1
    counts["legal review markers"] += sum(r.field.startswith("legal_basis") for r in procedure.review)


def _fees(procedure: Procedure, counts: Counter[str]) -> None:
    notes = " ".join(f.note or "" for c in procedure.channels for f in c.fees)
    if is_free(procedure) and (_HDND.search(notes) or any(
            int(re.sub(r"[.,]", "", m.group(1))) for m in _MONEY.finditer(notes))):
        counts["procedures passing the 'Miễn phí' filter while a fee note names an amount or the HĐND"] += 1
    for channel in procedure.channels:
        counts["channel rows"] += 1
        if channel.note and _STAGE.search(channel.note):
            counts["stage rows shown as channels"] += 1
        for fee in channel.fees:
            amount = getattr(fee, "amount", None)
            if amount is None or getattr(fee, "needs_review", False):
                counts["fees shown as source wording (xem ghi chú)"] += 1
                continue
            note = fee.note or ""
            noted = {int(re.sub(r"[.,]", "", m.group(1))) for m in _MONEY.finditer(note)}
            reduced = getattr(fee, "reduced_amount", None)
            if reduced is not None:
                counts["fees with a dated reduction kept"] += 1
                noted -= {reduced}
            if (amount == 0 and (noted - {0} or _HDND.search(note))) or (
                    amount and ((noted and amount not in noted) or _HDND.search(note))):
                counts["definitive fees contradicted by their row"] += 1
            if fee.currency is Currency.VND and 0 < amount < 1000:
                counts["VND amounts < 1000 shown as figures"] += 1
            units = {m.group(2) for m in _MONEY.finditer(note)}
            stated = Currency.USD if units == {"USD"} else Currency.VND if units and "USD" not in units else None
            if stated is not None and stated is not fee.currency:
                counts["fees in a currency their row does not state"] += 1


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]])
