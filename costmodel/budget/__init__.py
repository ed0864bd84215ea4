"""What fits in a monthly budget: the largest constant volume per strategy and the month the scenario's
own growth path crosses the budget (``breakeven budget``)."""

from __future__ import annotations

from costmodel.budget.solve import BudgetResult, BudgetRow, solve_budget

__all__ = ["BudgetResult", "BudgetRow", "solve_budget"]
