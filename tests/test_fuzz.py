"""Fuzzed ingestion and loading (issue #18 item 7): hypothesis property tests over the input
edge, with the strategies and properties of tests/fuzz_cases.py. Every input either becomes a
document (fully accounted for: conftest.assert_accounted) / a loaded file, or is refused with a
TrisecError whose every problem names the file; any other exception fails the test.

Examples per CI run (FUZZ_EXAMPLES below; about 20 s in all): 400 raw inputs (arbitrary
bytes, hostile Unicode in mixed encodings with long lines, mutated corpus/raw files), 250
mutated gold files, 150 mutated metadata files, 150 pins files. A longer run with counts:
`python scripts/fuzz.py --examples 5000`. tests/test_clean.py covers generated article pages
(structure known, exact output checked); these check only the properties, on any input.
"""

from __future__ import annotations

import fuzz_cases as fc
from hypothesis import HealthCheck, given, settings

from trisec.schema import Schema

FUZZ_EXAMPLES = {"ingest": 400, "gold": 250, "metadata": 150, "pins": 150}


def _settings(name: str) -> settings:
    return settings(max_examples=FUZZ_EXAMPLES[name], deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_settings("ingest")
@given(fc.RAW_INPUTS)
def test_any_raw_bytes_become_an_accounted_document_or_a_located_refusal(data: bytes) -> None:
    fc.check_ingest(data)


@_settings("gold")
@given(case=fc.mutated_gold())
def test_any_mutated_gold_file_loads_or_is_refused_in_that_file(case: tuple[str, str],
                                                                schema: Schema) -> None:
    fc.check_gold(*case, schema)


@_settings("metadata")
@given(fc.mutated_metadata())
def test_any_mutated_metadata_file_loads_or_is_refused_in_that_file(
        case: tuple[str, bytes]) -> None:
    fc.check_metadata(*case)


@_settings("pins")
@given(fc.PIN_INPUTS)
def test_any_pins_file_parses_or_is_refused_with_its_line(data: bytes) -> None:
    fc.check_pins(data)


def test_the_unmutated_inputs_pass(schema: Schema) -> None:
    """The properties hold on the real files as they are (the fuzzers mutate from here)."""
    for path in fc.RAW_FILES:
        assert fc.check_ingest(path.read_bytes(), path.name) == "document"
    for path in fc.GOLD_FILES:
        assert fc.check_gold(path.stem, path.read_text(encoding="utf-8"), schema) == "loaded"
    for path in fc.METADATA_FILES:
        assert fc.check_metadata(path.stem, path.read_bytes()) == "loaded"
    assert fc.check_pins((fc.RAW_DIR.parent / "raw.sha256").read_bytes()) == "loaded"
