"""One wording of values: the ISO 8601 / xsd durations that schema.org and CPSV-AP both publish."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from generator.models import LegalBasis, ProcessingTime, TimeUnit
from generator.wording import document_text, iso_duration

# xsd:duration's lexical space (XML Schema 1.1 part 2, 3.3.6.2): a fraction only in seconds.
XSD_DURATION = re.compile(r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")


@pytest.mark.parametrize(("time", "expected"), [
    (ProcessingTime(value=3, unit=TimeUnit.DAYS), "P3D"),
    (ProcessingTime(value=0.5, unit=TimeUnit.DAYS), "PT12H"),
    (ProcessingTime(value=1.5, unit=TimeUnit.DAYS), "P1DT12H"),
    (ProcessingTime(value=100_000, unit=TimeUnit.DAYS), "P100000D"),
    (ProcessingTime(value=0, unit=TimeUnit.DAYS), "P0D"),
    (ProcessingTime(value=4, unit=TimeUnit.HOURS), "PT4H"),
    (ProcessingTime(value=1.5, unit=TimeUnit.HOURS), "PT1H30M"),
    (ProcessingTime(value=1_500, unit=TimeUnit.HOURS), "PT1500H"),
    (ProcessingTime(value=0.0001, unit=TimeUnit.HOURS), "PT0H"),
    (ProcessingTime(value=2, unit=TimeUnit.MONTHS), "P2M"),
    (ProcessingTime(value=1, unit=TimeUnit.YEARS), "P1Y"),
    (ProcessingTime(value=1.5, unit=TimeUnit.MONTHS), None),  # months differ in length
    (ProcessingTime(value=5, max_value=7, unit=TimeUnit.DAYS), "P7D"),
    (ProcessingTime(value=10, unit=TimeUnit.WORKING_DAYS), None),
    (ProcessingTime(unit=TimeUnit.SAME_DAY), None),
    (ProcessingTime(value=7), None),
    (ProcessingTime(note="Theo lịch"), None),
    (None, None),
])
def test_a_processing_time_becomes_an_exact_duration_or_none(time: ProcessingTime | None, expected: str | None) -> None:
    assert iso_duration(time) == expected
    assert expected is None or XSD_DURATION.fullmatch(expected)


def test_a_deciding_document_is_named_with_what_the_record_gives_and_nothing_more() -> None:
    full = LegalBasis(number="1234/QĐ-BTP", title="Quyết định công bố", issued=dt.date(2026, 6, 15), issuer="Bộ Tư pháp")
    assert document_text(full) == "Quyết định công bố số 1234/QĐ-BTP ngày 15/06/2026 của Bộ Tư pháp"
    assert document_text(LegalBasis(title="Quyết định công bố")) == "Quyết định công bố"
