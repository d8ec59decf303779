"""Ecological-status standards as data: HJ 192-2015 EI weights, grades (优/良/一般/较差/差), grades of change
(ΔEI bands), the environmental-restriction caps and the normalisation coefficients (other.md §2.1).
The arithmetic is in `envgov.engine.ecology`."""
from envgov.standards.ecology import parameters
from envgov.standards.ecology.tables import (
    CHANGE_BANDS,
    COEFFICIENTS,
    COMPONENTS,
    CONSTRAINTS,
    GRADE_WORDS,
    GRADES,
    HJ192,
    Component,
)

__all__ = ["CHANGE_BANDS", "COEFFICIENTS", "COMPONENTS", "CONSTRAINTS", "GRADES", "GRADE_WORDS", "HJ192", "Component",
           "parameters"]
