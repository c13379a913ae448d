"""reconciler.yaml as commands read it: the Config model, validated once and then served
from the result cache; an invalid file is refused with its position."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.load.config import load_config
from reconciler.models import Config


def test_load_config_cold_and_cached(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  allow: ['10.1.0.0/16']\n"
        "statuses:\n  '9': Failed\n"
    )
    first = load_config(tmp_path)
    assert isinstance(first, Config)
    assert (first.network.allow, first.statuses, first.store) == (
        ["10.1.0.0/16"],
        {"9": "Failed"},
        None,
    )
    assert load_config(tmp_path) == first  # from the cache
    assert (tmp_path / ".reconciler" / "cache" / "validate.db").exists()


def test_no_config_file_is_no_config(tmp_path: Path) -> None:
    assert load_config(tmp_path) is None


def test_invalid_config_is_refused_with_its_position_even_after_a_valid_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reconciler.yaml"
    path.write_text("apiVersion: reconciler/v1\nkind: Config\n")
    assert load_config(tmp_path) == Config(apiVersion="reconciler/v1", kind="Config")
    path.write_text("apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  alow: []\n")
    with pytest.raises(ConfigError, match=r"reconciler.yaml:4:3"):
        load_config(tmp_path)
