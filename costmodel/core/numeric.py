"""The numeric gate: inputs within documented ceilings, results finite and non-negative, or a refusal.

Two layers (docs/SCENARIO.md, "Input ceilings"):

1. **Input ceilings**, checked while validating a file: every number without a tighter bound of
   its own is at most :data:`MAX_INPUT_NUMBER` (:func:`ceiling_problem`, used by the schema), and
   month-H traffic after compound growth is at most :data:`MAX_MONTHLY_REQUESTS`
   (:func:`growth_problem`). Within them the cost formulas (products of a handful of such
   numbers) stay far below the float range, so no overflow, NaN or ``$infB`` can come out.
2. **Result gate**, after a run (:func:`cost_problems`): every cost is finite, >= 0 and at most
   :data:`MAX_RESULT_USD`; otherwise the run is refused with ``file:line: strategies[i]: ...``
   naming the strategy and the cost category that overflowed (a belt to the ceilings' braces,
   for paths the ceilings cannot foresee: catalog entries, integer casts, simulation draws).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from costmodel.core.errors import InputError, Problem

MAX_INPUT_NUMBER = 1e15
"""Largest number any scenario or catalog field accepts unless its own bound is tighter: a
quadrillion requests, tokens, examples or dollars is beyond any real workload, and the product of
five such numbers (1e75) is still far below the float range (1.8e308)."""

MAX_MONTHLY_REQUESTS = 1e15
"""Most requests in any month after compound growth, ``R_1 (1 + g)^(H - 1)``: 100% a month over
600 months is 2^599 (4e180) times month 1, which overflows once multiplied by tokens and prices."""

MAX_RESULT_USD = 1e18
"""Largest cost a result may hold (about ten thousand times world GDP): beyond it an input is out
of scale, and totals would print as ``$1e+18`` nonsense or overflow in sums and variances."""

CATEGORY_FIELDS: Mapping[str, str] = {
    "tokens": "workload volumes and token counts, or the model's prices",
    "gpu": "workload volumes, token counts or the GPU offer (self-hosted serving and training)",
    "labeling": "n_training_examples, n_new_examples_per_retrain or labeling.usd_per_example",
    "training": "n_training_examples, tokens_per_example, n_epochs or the training price",
    "infrastructure": "corpus_tokens, the vector database or hosting_usd_per_hour",
    "people": "setup_hours, maintenance_hours_per_month or people.engineer_usd_per_hour",
}
"""Which inputs feed each cost category (for the refusal message)."""


def ceiling_problem(value: float, *, has_own_max: bool) -> str | None:
    """The message for a number over :data:`MAX_INPUT_NUMBER` (None when within it or bounded otherwise).

    >>> ceiling_problem(1e300, has_own_max=False)
    'expected a number <= 1e+15 (the input ceiling, see Input ceilings in SCENARIO.md), got 1e+300'
    >>> ceiling_problem(1e300, has_own_max=True) is None, ceiling_problem(5e14, has_own_max=False) is None
    (True, True)
    """
    if has_own_max or abs(value) <= MAX_INPUT_NUMBER:
        return None
    return (
        f"expected a number <= {MAX_INPUT_NUMBER:g} (the input ceiling, see Input ceilings in SCENARIO.md), "
        f"got {value:g}"
    )


def month_h_requests(
    requests_per_month: float, growth_fraction_per_month: float, horizon_months: int
) -> float:
    """Requests in the last month, ``R_1 (1 + g)^(H - 1)``, computed in logs (never overflows; inf if huge).

    >>> round(month_h_requests(1000, 0.1, 3), 6)
    1210.0
    >>> month_h_requests(1e300, 1.0, 600)
    inf
    """
    if requests_per_month <= 0:
        return 0.0
    log_value = math.log(requests_per_month) + (horizon_months - 1) * math.log1p(growth_fraction_per_month)
    return math.exp(log_value) if log_value < math.log(sys_float_max()) else math.inf


def sys_float_max() -> float:
    """Largest finite float (1.8e308)."""
    return float(np.finfo(np.float64).max)


def growth_problem(
    requests_per_month: float, growth_fraction_per_month: float, horizon_months: int
) -> str | None:
    """The message when month-H traffic exceeds :data:`MAX_MONTHLY_REQUESTS` (None when within).

    >>> growth_problem(200_000, 0.05, 24) is None
    True
    >>> print(growth_problem(1e6, 1.0, 600))
    month-600 traffic would be 2.07e+186 requests (1,000,000 growing 100% a month); at most 1e+15: lower the growth or the horizon
    """
    last = month_h_requests(requests_per_month, growth_fraction_per_month, horizon_months)
    if last <= MAX_MONTHLY_REQUESTS:
        return None
    return (
        f"month-{horizon_months} traffic would be {last:.3g} requests ({requests_per_month:,.0f} growing "
        f"{growth_fraction_per_month:.0%} a month); at most {MAX_MONTHLY_REQUESTS:g}: "
        "lower the growth or the horizon"
    )


def _bad_value(values: Any) -> float | None:
    """The first non-finite, negative or over-ceiling value in a number or array (None when all fine)."""
    arr = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > MAX_RESULT_USD)
    if not bad.any():
        return None
    return float(arr[bad].flat[0])


def cost_problems(
    strategies: Iterable[tuple[str, str, Mapping[str, Any]]],
) -> list[tuple[str, str]]:
    """(field, message) for every strategy cost that is not finite, is negative or is over the ceiling.

    ``strategies`` yields (field path, strategy id, category -> cost or array of costs in USD).

    >>> cost_problems([("strategies[0]", "p", {"tokens": [1.0, 2.0], "gpu": 0.0})])
    []
    >>> cost_problems([("strategies[1]", "ft", {"gpu": [1.0, float("nan")]})])[0][1][:46]
    "cost 'gpu' of ft is not a finite number (nan):"
    """
    out: list[tuple[str, str]] = []
    for field, strategy_id, costs in strategies:
        for category, values in costs.items():
            bad = _bad_value(values)
            if bad is None:
                continue
            what = (
                f"not a finite number ({bad})"
                if not math.isfinite(bad)
                else (f"negative ({bad:.3g} USD)" if bad < 0 else f"{bad:.3g} USD, over {MAX_RESULT_USD:g}")
            )
            hint = CATEGORY_FIELDS.get(category, "its inputs")
            out.append(
                (
                    field,
                    f"cost {category!r} of {strategy_id} is {what}: an input is out of scale; "
                    f"check {hint} (see Input ceilings in SCENARIO.md)",
                )
            )
            break
    return out


def quiet_overflow() -> Any:
    """A numpy error state that lets overflow and invalid results through silently, for the gate to refuse.

    Without it numpy prints warnings with the library's file paths to stderr, before the refusal.
    """
    return np.errstate(over="ignore", invalid="ignore")


def gate_costs(
    source: str,
    line_of: Callable[[str], int | None],
    strategies: Iterable[tuple[str, str, Mapping[str, Any]]],
) -> None:
    """Raise InputError ``source:line: strategies[i]: cost ... is not a finite number`` (see :func:`cost_problems`)."""
    problems = [
        Problem(file=source, line=line_of(field), field=field, message=message)
        for field, message in cost_problems(strategies)
    ]
    if problems:
        raise InputError(problems)


MAX_APP_SIMULATION_WORK = 50_000_000
"""Work budget of one simulation in the app, in strategy-months-draws (strategies x horizon x draws):
about 150-300 ns of server CPU each (benchmarks/bench_hostile.py), so 7-15 s. The bundled example at
10,000 draws is 960,000; 20 strategies over 600 months fit 4,166 draws. The command line (the
user's own CPU) has no budget beyond ``--draws``."""


def fit_draws(
    draws: int, *, horizon_months: int, n_strategies: int, budget: int = MAX_APP_SIMULATION_WORK
) -> tuple[int, str | None]:
    """(draws to run, the note saying so when they were lowered) within the work ``budget``.

    >>> fit_draws(10_000, horizon_months=24, n_strategies=4)
    (10000, None)
    >>> fit_draws(10_000, horizon_months=600, n_strategies=20)[0]
    4166
    """
    per_draw = max(1, horizon_months * n_strategies)
    allowed = max(1, budget // per_draw)
    if draws <= allowed:
        return draws, None
    return allowed, (
        f"{draws:,} draws of {n_strategies} strategies over {horizon_months} months would be "
        f"{draws * per_draw:,} strategy-months, over this server's budget of {budget:,}: "
        f"ran {allowed:,} draws instead (the command line `breakeven simulate` has no such budget)"
    )
