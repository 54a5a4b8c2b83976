"""POST /api/v1/lint: flag passages of a draft decision that rely on forbidden reasoning.

Stateless like POST /assessments. The text is special-category data (it speaks of the
applicant's sexual orientation), so the audit line records only its length and the number of
flags, never the text.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from haven.api import deps, errors
from haven.api.bodies import LintRequest, openapi_body, parse
from haven.assess.admit import assessable_problems
from haven.assess.lint import lint as run_lint
from haven.clock import today
from haven.errors import InputError, Problem
from haven.policy.pack import Pack
from haven.store.access import Action
from haven.store.db import Database
from haven.store.repo import Actor, audit, require

router = APIRouter(prefix="/api/v1")


@router.post(
    "/lint",
    openapi_extra=openapi_body(LintRequest),
    tags=["assess"],
    responses=errors.responses(401, 403, 422),
)
def lint(
    raw: deps.RawBody,
    actor: Annotated[Actor, Depends(deps.actor)],
    pack: Annotated[Pack, Depends(deps.pack)],
    db: Annotated[Database, Depends(deps.db)],
) -> dict[str, Any]:
    """Lint a draft decision text for a case as of a date (contract section 3, `haven lint`):
    each flag has the character span, the flag code, a plain explanation and its sources."""
    require(actor, Action.ASSESS_STATELESS)
    req = parse(LintRequest, raw)
    if req.model and pack.lint_model is None:
        raise InputError([Problem("model", f"the policy pack {pack.meta.id} has no lint model")])
    found = assessable_problems(req.case, pack)
    if found:
        raise InputError([Problem(f"case.{p.where}", p.message) for p in found])
    result = run_lint(req.text, req.case, req.as_of or today(), pack, model=req.model)
    detail: dict[str, Any] = {"chars": len(req.text), "flags": len(result.flags)}
    if req.model:  # entries without the model keep the shape they always had
        detail["model"] = True
    with db.session() as s:
        audit(s, actor, "lint.stateless", **detail)
    return result.model_dump(mode="json")
