"""Surface-water standards as data and exact functions: GB 3838-2002 Table 1 and the national
assessment method 地表水环境质量评价办法（试行）(环办〔2011〕22号).

`tables.py` holds the tables (each citing its document and the reference), `parameters.py` the rules the
reference marks UNCONFIRMED as user-set parameters, `assess.py` the single computation path (NumPy).
"""
from envgov.standards.water import parameters
from envgov.standards.water.assess import (
    ProportionRating,
    SampleClass,
    attained,
    classify,
    counting_items,
    exceedance_multiple,
    format_pollutant,
    item_class,
    limit_of,
    primary_order,
    primary_pollutants,
    proportion_rating,
    status,
    status_change,
    uses_proportion_method,
)
from envgov.standards.water.tables import (
    ASSESSMENT_ITEMS,
    ASSESSMENT_METHOD,
    BY_CODE,
    CLASS_LABELS,
    GB3838,
    ITEMS,
    KINDS,
    LABEL_CLASSES,
    LAKE,
    NOT_ASSESSABLE,
    REFERENCE_ITEMS,
    RIVER,
    STATUS,
    WORSE_THAN_V,
    Item,
)

__all__ = [
    "ASSESSMENT_ITEMS", "ASSESSMENT_METHOD", "BY_CODE", "CLASS_LABELS", "GB3838", "ITEMS", "KINDS",
    "LABEL_CLASSES", "LAKE", "NOT_ASSESSABLE", "REFERENCE_ITEMS", "RIVER", "STATUS", "WORSE_THAN_V", "Item",
    "ProportionRating", "SampleClass", "attained", "classify", "counting_items", "exceedance_multiple",
    "format_pollutant", "item_class", "limit_of", "parameters", "primary_order", "primary_pollutants",
    "proportion_rating", "status", "status_change", "uses_proportion_method",
]
