"""The step interface of the assessment: what every step is, and what it is given.

A `Stage` has a name and a `run(ctx)` that returns its result; the result carries the trace
steps it adds (`steps`). `ctx` carries the case as recorded and as known on the date, the pack
on the date (`PolicyOn`) and the results of the steps that ran before, looked up by their
stage (`ctx[CREDIBILITY]`), typed. The order of the steps is declared once, in
haven.assess.stages.STAGES; haven.assess.engine.assess runs them in that order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from haven.assess.model import Step
from haven.cases import Case
from haven.cases.known import Known
from haven.policy.snapshot import PolicyOn


class Traced(Protocol):
    """A step's result: what it found, and the trace steps that explain it."""

    @property
    def steps(self) -> list[Step]: ...


R = TypeVar("R", bound=Traced)


@dataclass(frozen=True, eq=False)  # a stage is itself: results are looked up by identity
class Stage(Generic[R]):
    name: str
    run: Callable[["Context"], R]


@dataclass
class Context:
    recorded: Case  # as recorded, every incident
    known: Known  # as known on the date
    policy: PolicyOn
    results: dict[Stage[Any], Any] = field(default_factory=dict)

    @property
    def case(self) -> Case:
        """The case as known on the date: what every step reasons on."""
        return self.known.case

    def __getitem__(self, stage: Stage[R]) -> R:
        if stage not in self.results:
            raise KeyError(f"step {stage.name!r} has not run yet: a step reads earlier ones only")
        result: R = self.results[stage]
        return result
