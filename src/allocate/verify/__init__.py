"""The independent verifier: every hard rule re-derived from the input and the output tables.

It shares no code with the model builder, so a planner can trust a roster without trusting the solver.
"""

from allocate.verify.report import RULES, VerificationReport, Violation
from allocate.verify.verifier import verify_output, verify_roster

__all__ = ["RULES", "VerificationReport", "Violation", "verify_output", "verify_roster"]
