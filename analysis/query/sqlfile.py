"""The one loader of the `.sql` files that live beside their modules.

A query of more than one CTE is a file (jaffle_shop style: import CTEs, logic CTEs, then
`final`; `select * from final`), with named parameters (`$city`), so that reordering a CTE
cannot swap its values. The few parts that cannot be parameters (a filter's WHERE body,
an allow-listed table or expression) go into `{{ slot }}`s, and only as a `Fragment`:
text that CrimeFilter rendered or that the calling module holds as a constant. A slot left
unfilled, or a fragment no slot takes, raises.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import NewType

# SQL text that carries no user value: a CrimeFilter clause, an allow-listed identifier or
# expression. Wrapping a string in Fragment is the caller's promise of that.
Fragment = NewType("Fragment", str)

_SLOT = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@cache
def load(package: str, name: str) -> str:
    """The text of `name` (e.g. 'series.sql') in `package` (e.g. 'analysis.series')."""
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def render(package: str, name: str, **fragments: Fragment) -> str:
    """The file's text with each `{{ slot }}` replaced by the fragment of that name."""
    text = load(package, name)
    slots = set(_SLOT.findall(text))
    missing, unused = slots - fragments.keys(), fragments.keys() - slots
    if missing or unused:
        raise ValueError(
            f"{name}: slots without a fragment {sorted(missing)}, fragments without a slot {sorted(unused)}"
        )
    return _SLOT.sub(lambda m: fragments[m.group(1)], text)


def slots(package: str, name: str) -> set[str]:
    """The slot names of a file (for tests that explain every file)."""
    return set(_SLOT.findall(load(package, name)))
