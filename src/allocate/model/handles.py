"""Handles on the model's variables that the rule modules and the solve step share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from allocate.domain import CrewPattern, Post


@dataclass
class PostVars:
    """The decision variables of one post."""

    post: Post
    patterns: tuple[CrewPattern, ...]
    crews: list[cp_model.IntVar]  # crews staffed per pattern
    sworn: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)  # (person index, x)
    aux: list[tuple[int, cp_model.IntVar]] = field(default_factory=list)
    sworn_in_a: cp_model.IntVar | None = None  # sworn officers filling A slots
    shortfall: cp_model.IntVar | None = None  # crews required but not staffed
    pooled: dict[str, cp_model.IntVar] = field(default_factory=dict)  # recruits per kind (sizing)
    counted_sworn: list[cp_model.IntVar] = field(default_factory=list)  # per class (model.lines)
    counted_aux: list[cp_model.IntVar] = field(default_factory=list)

    def people(self, sworn: bool) -> tuple[cp_model.LinearExprT, int]:
        """How many sworn (or auxiliary) people serve here, and the most there could be.

        The post's people come by name (x), as lines counted per class, or as sizing's recruits.
        """
        named = self.sworn if sworn else self.aux
        counted = self.counted_sworn if sworn else self.counted_aux
        pooled = [v for g, v in self.pooled.items() if (g == "sworn") == sworn]
        total = sum(x for _, x in named) + sum(counted) + sum(pooled)
        room = len(named) + sum(_top(v) for v in (*counted, *pooled))
        return total, room

    @property
    def uncovered(self) -> cp_model.LinearExprT:
        return self.shortfall if self.shortfall is not None else self.post.crews_required - sum(self.crews)


def _top(var: cp_model.IntVar) -> int:
    return max(var.proto.domain)


@dataclass(frozen=True)
class Term:
    """One soft goal: its raw `amount` (in `unit`) and its `cost` in the objective."""

    name: str
    amount: cp_model.LinearExprT
    cost: cp_model.LinearExprT
    unit: str
    top: int = 0  # the most `amount` can be, when a phase must rank it (allocate.phases)

    @classmethod
    def weighted(cls, name: str, amount: cp_model.LinearExprT, weight: int, unit: str, top: int = 0) -> Term:
        return cls(name, amount, weight * amount, unit, top)
