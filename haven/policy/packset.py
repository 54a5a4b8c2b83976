"""The packs a server offers (the shipped ones and the configured ones), and which one is the
reference pack of another: pure data, loaded by haven.policy.loader.offered."""

from collections.abc import Mapping
from dataclasses import dataclass

from haven.errors import InputError, Problem
from haven.policy.pack import Pack


@dataclass(frozen=True)
class PackSet:
    """Packs by id. `default` answers when none is named; `reference_id`, if set, is the pack
    every other one is compared with (the memo's and case page's note); if not set, a pack's
    reference is the other shipped pack when there is exactly one."""

    default: Pack
    packs: Mapping[str, Pack]
    shipped: frozenset[str] = frozenset()
    reference_id: str | None = None

    def ids(self) -> list[str]:
        """The default first, then the others by id."""
        rest = sorted(i for i in self.packs if i != self.default.meta.id)
        return [self.default.meta.id, *rest]

    def get(self, name: str | None, field: str = "pack") -> Pack:
        """The pack with this id (None: the default); an unknown id is an error naming `field`,
        and so is an empty one (`?pack=`): it named no pack, and answering under the default
        would hide that."""
        if name is None:
            return self.default
        if name == "":
            offered = ", ".join(self.ids())
            raise InputError(
                [
                    Problem(
                        field,
                        f"is empty: name a pack this server offers ({offered}), or leave it "
                        "out for the default",
                    )
                ]
            )
        found = self.packs.get(name)
        if found is None:
            offered = ", ".join(self.ids())
            raise InputError(
                [Problem(field, f"unknown pack {name[:60]!r}; this server offers: {offered}")]
            )
        return found

    def reference(self, pack: Pack) -> Pack | None:
        """The pack to compare `pack` with, or None."""
        own = pack.meta.id
        if self.reference_id is not None:
            return None if self.reference_id == own else self.packs[self.reference_id]
        others = sorted(i for i in self.shipped if i != own and i in self.packs)
        return self.packs[others[0]] if len(others) == 1 else None
