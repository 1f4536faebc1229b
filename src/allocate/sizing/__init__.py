"""Scientific and rational size (rule 9): how many auxiliaries each station needs."""

from allocate.sizing.quota import divide_quota
from allocate.sizing.run import SIZING_COLUMNS, SizingReport, StationSizing, size_dataset, size_station

__all__ = ["SIZING_COLUMNS", "SizingReport", "StationSizing", "divide_quota", "size_dataset", "size_station"]
