"""Register the eu-mini test pack with a running app, as a deployment registers its packs
(app.state.packs: a mapping of id to pack, or an offered-packs object holding one as .packs)."""

import dataclasses
from pathlib import Path
from typing import Any

from haven.policy.loader import load_pack

EU_MINI = Path(__file__).parent.parent / "packs" / "eu-mini"


def register_eu_mini(app: Any) -> None:
    pack = load_pack(str(EU_MINI))
    current = getattr(app.state, "packs", None)
    if current is not None and hasattr(current, "packs"):
        packs = {**current.packs, pack.meta.id: pack}
        app.state.packs = dataclasses.replace(current, packs=packs)
    else:
        app.state.packs = {**(current or {}), pack.meta.id: pack}
