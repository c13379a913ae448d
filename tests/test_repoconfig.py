"""RepoConfig (what commands read of reconciler.yaml, without pydantic) agrees with the
Config model, and commands get it from the validation cache without importing pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.repoconfig import RepoConfig
from reconciler.errors import ConfigError
from reconciler.load.config import load_config
from reconciler.models import Config
from reconciler.models.config import NetworkPolicy

DOCUMENTS: list[dict[str, Any]] = [
    {"apiVersion": "reconciler/v1", "kind": "Config"},
    {"apiVersion": "reconciler/v1", "kind": "Config", "network": {}},
    {
        "apiVersion": "reconciler/v1",
        "kind": "Config",
        "store": "postgresql://u@h/db",
        "network": {"allow": ["10.0.0.0/8", "*.corp.example"], "caBundle": "ca.pem"},
        "statuses": {"2": "Failed", "9": "Cancelled"},
    },
]


def _from_model(config: Config) -> RepoConfig:
    return RepoConfig(
        store=config.store,
        allow=tuple(config.network.allow),
        ca_bundle=config.network.caBundle,
        statuses=dict(config.statuses),
    )


def test_every_field_of_the_model_is_read() -> None:
    # A new Config field must be added to RepoConfig too (and to this test).
    assert set(Config.model_fields) == {"apiVersion", "kind", "store", "network", "statuses"}
    assert set(NetworkPolicy.model_fields) == {"allow", "caBundle"}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_same_values_as_the_model(document: dict[str, Any]) -> None:
    assert RepoConfig.from_document(document) == _from_model(Config.model_validate(document))


def test_load_config_cold_and_cached(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  allow: ['10.1.0.0/16']\n"
        "statuses:\n  '9': Failed\n"
    )
    first = load_config(tmp_path)
    assert first == RepoConfig(allow=("10.1.0.0/16",), statuses={"9": "Failed"})
    assert load_config(tmp_path) == first  # from the cache


def test_invalid_config_is_refused_with_its_position_even_after_a_valid_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reconciler.yaml"
    path.write_text("apiVersion: reconciler/v1\nkind: Config\n")
    assert load_config(tmp_path) == RepoConfig()
    path.write_text("apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  alow: []\n")
    with pytest.raises(ConfigError, match=r"reconciler.yaml:4:3"):
        load_config(tmp_path)


def test_a_cached_config_is_read_without_pydantic_or_the_yaml_parser(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\nstatuses:\n  '9': Failed\n"
    )
    load_config(tmp_path)  # fills the cache
    code = (
        "import sys; from pathlib import Path; from reconciler.load.config import load_config;"
        f"c = load_config(Path({str(tmp_path)!r})); assert c.statuses == {{'9': 'Failed'}}, c;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'ruamel')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
