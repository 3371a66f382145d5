"""Every module that cites the methods document cites docs/METHODS.md, and the section it
names exists there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "METHODS.md"


def test_citations_point_at_existing_sections() -> None:
    headings = set(re.findall(r"^## (.+)$", DOC.read_text(), flags=re.M))
    cited: list[tuple[str, str]] = []
    for path in sorted(p for d in ("kernel", "analysis", "report") for p in (ROOT / d).rglob("*.py")):
        text = path.read_text()
        for match in re.finditer(r"(\S*)METHODS\.md(?:, \"([^\"]+)\")?", text):
            assert match.group(1).endswith("docs/"), f"{path.name} cites {match.group(0)!r}"
            if match.group(2):
                cited.append((path.name, match.group(2)))
    assert len({name for name, _ in cited}) >= 5
    for name, section in cited:
        assert section in headings, f"{name} cites a missing section {section!r}"
