"""Catalogues the tests read, each validated once per test session (shared by the test modules)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from generator.catalogue import Catalogue
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED = ROOT / "catalogue"
FEED_FIXTURE = ROOT / "tests" / "fixtures" / "feed" / "catalogue"
# The feed fixture with 1.000001 abolished and 1.900001 replaced by 1.001193 (test data).
RETIRED_FIXTURE = ROOT / "tests" / "fixtures" / "retired" / "catalogue"


@cache
def load(root: Path = FEED_FIXTURE) -> Catalogue:
    """The valid catalogue at `root` (the feed fixture by default); fails the test if it is not valid."""
    catalogue, problems = validate(root)
    assert catalogue is not None, problems
    return catalogue
