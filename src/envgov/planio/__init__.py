"""Plan document importer: from a plan's text (txt/docx/pdf) to a proposed ledger of targets and tasks.

from envgov.planio import import_plan
plan = import_plan("计划.docx", district="通州区", year=2024)
plan.to_json(); plan.tasks[0].source_span; plan.source(plan.tasks[0].source_span)
"""

from envgov.planio.errors import PlanImportError
from envgov.planio.importer import ImportedPlan, QuantityItem, TargetItem, TaskItem, import_plan, import_text

__all__ = [
    "ImportedPlan",
    "PlanImportError",
    "QuantityItem",
    "TargetItem",
    "TaskItem",
    "import_plan",
    "import_text",
]
