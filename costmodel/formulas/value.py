"""Net value of a strategy: what its correct answers are worth, minus what its wrong ones and its costs cost.

One formula for the engine (horizon totals), the advisor (totals at a scaled volume) and the simulator
(per draw, and month by month for the cumulative bands). Pure and vectorised: numbers or numpy arrays
in, the broadcast shape out.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

FloatOrArray = TypeVar("FloatOrArray", float, NDArray[np.float64])


def net_value_usd(
    *,
    n_requests: FloatOrArray,
    accuracy_fraction: FloatOrArray,
    usd_per_correct_answer: FloatOrArray,
    usd_per_wrong_answer: FloatOrArray,
    cost_usd: FloatOrArray,
) -> FloatOrArray:
    """Net value (USD) of ``n_requests`` answers that cost ``cost_usd`` in total.

    ``V = c * v_correct - (N - c) * v_wrong - C`` with ``c = N * a`` correct answers, where N is the
    number of requests (answers), ``a`` the accuracy (fraction 0-1), ``v_correct`` the value of a
    correct answer (USD), ``v_wrong`` the cost of a wrong one (USD, counted positive) and ``C`` the
    total cost (USD) of serving them. Source: docs/SCENARIO.md, ``net_value_usd`` of the JSON output
    ("correct answers x value - wrong answers x cost - total_usd"). Assumes every request gets one
    answer, right or wrong, and a wrong answer's cost does not depend on how wrong it is.

    Evaluated in exactly this order (the correct answers first, then the wrong ones as ``N - c``), so
    every caller gets the same result bit for bit.

    >>> net_value_usd(n_requests=1000.0, accuracy_fraction=0.9, usd_per_correct_answer=0.5,
    ...     usd_per_wrong_answer=2.0, cost_usd=100.0)
    150.0
    >>> net_value_usd(n_requests=np.array([100.0, 200.0]), accuracy_fraction=np.array(0.5),
    ...     usd_per_correct_answer=np.array(1.0), usd_per_wrong_answer=np.array(0.0),
    ...     cost_usd=np.array([10.0, 10.0])).tolist()
    [40.0, 90.0]
    """
    correct = n_requests * accuracy_fraction
    return correct * usd_per_correct_answer - (n_requests - correct) * usd_per_wrong_answer - cost_usd
