"""The sections of `reconciler status`, in display order. To add one, write
`def section(store: Store) -> StatusSection | None` and list it here as "module:function"."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from reconciler.core.status import StatusSection
from reconciler.store.base import Store

SECTIONS: list[str] = [
    "reconciler.store.flows:status_section",
    "reconciler.store.checks:status_section",
    "reconciler.store.ledger:status_section",
]

SectionProvider = Callable[[Store], StatusSection | None]


def collect(store: Store) -> list[StatusSection]:
    sections = []
    for target in SECTIONS:
        module, attr = target.split(":")
        provider: SectionProvider = getattr(importlib.import_module(module), attr)
        section = provider(store)
        if section is not None:
            sections.append(section)
    return sections
