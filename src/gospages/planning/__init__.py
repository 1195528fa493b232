"""Publishing as a workflow: content plans.

* :class:`ContentPlan` / :class:`PlanItem`: dated posts for a selection of pages, read by
  :func:`load_plan` (or :func:`load_plan_report`, which keeps the good rows of a plan with
  bad ones) from XLSX, CSV or YAML;
* :func:`check_plan`: before the week starts, which pages fall short of their policy's
  posts per week, which posts fail :func:`gospages.requirements.check_post` or a platform
  limit, which fall on a holiday or outside working hours;
* :func:`plan_to_ics`: the plan as an iCalendar file.
"""

from ._ics import plan_to_ics, write_ics
from ._plan import DEFAULT_TIMEZONE, ContentPlan, PlanError, PlanItem, PlanProblem
from ._plan_check import (
    ItemProblem,
    PlanCheck,
    Resolver,
    Shortfall,
    check_plan,
    next_week,
    simple_resolver,
)
from ._plan_io import PlanReport, load_plan, load_plan_report, plan_from_rows

__all__ = [
    "DEFAULT_TIMEZONE",
    "ContentPlan",
    "ItemProblem",
    "PlanCheck",
    "PlanError",
    "PlanItem",
    "PlanProblem",
    "PlanReport",
    "Resolver",
    "Shortfall",
    "check_plan",
    "load_plan",
    "load_plan_report",
    "next_week",
    "plan_from_rows",
    "plan_to_ics",
    "simple_resolver",
    "write_ics",
]
