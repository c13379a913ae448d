from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ApiVersion = Literal["reconciler/v1"]


class Strict(BaseModel):
    """Unknown keys are errors (the validator adds a "did you mean")."""

    model_config = ConfigDict(extra="forbid", frozen=True)
