"""The statusId table: numeric codes <-> Invictus status names <-> search groups.

Invictus documents the names and the groups, not the numeric `statusId` codes. The default
codes below are an ASSUMPTION (documented in the README); `reconciler.yaml` `statuses`
overrides them per code, e.g. `statuses: {9: Failed}` moves `Failed` to code 9.

Filters accept a name (`Failed`), a group (`Error`) or a raw integer (`2`, also as the
string "2"); names and groups are matched case-insensitively.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconciler.core.suggest import did_you_mean
from reconciler.errors import ConfigError, InputError

if TYPE_CHECKING:
    from reconciler.models import Config

STATUS_NAMES: tuple[str, ...] = (
    "Active",
    "Completed",
    "Failed",
    "Resubmitted",
    "Resumed",
    "ResubmitFailed",
    "ResumeFailed",
    "Ignored",
    "Cancelled",
)

# ASSUMPTION: Invictus does not publish these codes. 0..2 follow the example run records
# of its documentation (`{0: Active, 1: Completed, 2: Failed}`; a failed run carries 2).
DEFAULT_CODES: dict[int, str] = {
    0: "Active",
    1: "Completed",
    2: "Failed",
    3: "Resubmitted",
    4: "Resumed",
    5: "ResubmitFailed",
    6: "ResumeFailed",
    7: "Ignored",
    8: "Cancelled",
}

# The search groups Invictus documents.
GROUPS: dict[str, tuple[str, ...]] = {
    "Active": ("Active", "Resubmitted", "Resumed"),
    "Error": ("Failed", "ResubmitFailed", "ResumeFailed"),
    "Completed": ("Completed",),
    "Ignored": ("Ignored",),
    "Cancelled": ("Cancelled",),
}

ERROR_GROUP = "Error"

# statusId is a 32-bit integer in the stores (PostgreSQL INTEGER).
STATUS_ID_MIN, STATUS_ID_MAX = -(2**31), 2**31 - 1


def status_code(value: int | str) -> int:
    """A raw statusId filter value as an integer in the stores' range (InputError else)."""
    text = str(value).strip()
    if len(text.lstrip("-")) > 10 or not STATUS_ID_MIN <= int(text) <= STATUS_ID_MAX:
        raise InputError(
            f"status {text[:40]}{'...' if len(text) > 40 else ''} is out of range "
            f"(a statusId is between {STATUS_ID_MIN} and {STATUS_ID_MAX})"
        )
    return int(text)


def _canonical(word: str, choices: Iterable[str]) -> str | None:
    lowered = word.strip().lower()
    for choice in choices:
        if choice.lower() == lowered:
            return choice
    return None


def _hint(word: str, choices: Iterable[str]) -> str:
    hint = did_you_mean(word, choices)
    return f" ({hint})" if hint else ""


@dataclass(frozen=True)
class StatusTable:
    """code -> name. Immutable; build with `StatusTable.default()` or `from_overrides`."""

    codes: Mapping[int, str] = field(default_factory=lambda: dict(DEFAULT_CODES))

    @classmethod
    def default(cls) -> StatusTable:
        return cls(dict(DEFAULT_CODES))

    @classmethod
    def from_config(cls, config: Config | None) -> StatusTable:
        return cls.from_overrides(config.statuses if config else None)

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, str] | Mapping[int, str] | None) -> StatusTable:
        """Apply `reconciler.yaml` `statuses` ({code: name}) on top of the defaults.
        A name given a code in the overrides loses its default code (names move)."""
        codes = dict(DEFAULT_CODES)
        if not overrides:
            return cls(codes)
        parsed: dict[int, str] = {}
        for raw_code, raw_name in overrides.items():
            try:
                code = int(raw_code)
            except (TypeError, ValueError):
                raise ConfigError(
                    f"reconciler.yaml statuses: {raw_code!r} is not an integer status code"
                ) from None
            name = _canonical(str(raw_name), STATUS_NAMES)
            if name is None:
                raise ConfigError(
                    f"reconciler.yaml statuses: unknown status name {raw_name!r}"
                    + _hint(str(raw_name), STATUS_NAMES),
                    hint="names: " + ", ".join(STATUS_NAMES),
                )
            parsed[code] = name
        moved = set(parsed.values())
        codes = {c: n for c, n in codes.items() if n not in moved}
        codes.update(parsed)
        return cls(dict(sorted(codes.items())))

    def name(self, code: int | None) -> str:
        """Display name of a code; unknown codes show as `status 42`."""
        if code is None:
            return "(none)"
        return self.codes.get(code, f"status {code}")

    def codes_of(self, names: Iterable[str]) -> set[int]:
        wanted = set(names)
        return {code for code, name in self.codes.items() if name in wanted}

    def group_codes(self, group: str) -> set[int]:
        return self.codes_of(GROUPS[group])

    def group_of(self, code: int | None) -> str | None:
        name = self.codes.get(code) if code is not None else None
        for group, members in GROUPS.items():
            if name in members:
                return group
        return None

    def resolve(self, values: Iterable[str | int]) -> frozenset[int]:
        """Status filter values (names, groups, integers) -> the set of codes.
        Unknown words raise InputError with a "did you mean"."""
        result: set[int] = set()
        for value in values:
            if isinstance(value, bool):
                raise InputError(f"status filter {value!r} is not a status name, group or code")
            if isinstance(value, int):
                result.add(status_code(value))
                continue
            text = str(value).strip()
            if text.lstrip("-").isdigit():
                result.add(status_code(text))
                continue
            group = _canonical(text, GROUPS)
            if group is not None:
                result |= self.group_codes(group)
                continue
            name = _canonical(text, STATUS_NAMES)
            if name is not None:
                codes = self.codes_of([name])
                if not codes:
                    raise InputError(f"status {name!r} has no code in the status table")
                result |= codes
                continue
            raise InputError(
                f"unknown status {text!r}" + _hint(text, [*GROUPS, *STATUS_NAMES]),
                hint="use a status name, a group (Active, Error, Completed, Ignored, "
                "Cancelled) or a raw statusId integer",
            )
        return frozenset(result)

    def describe(self) -> list[dict[str, object]]:
        """Rows for docs and `--format json`: code, name, group."""
        return [
            {"code": code, "name": name, "group": self.group_of(code)}
            for code, name in sorted(self.codes.items())
        ]
