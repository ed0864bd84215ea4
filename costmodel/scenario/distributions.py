"""Distributions for uncertain scenario inputs: central value, mean, seeded sampling, CDF and quantiles.

YAML syntax (docs/SCENARIO.md, "Uncertain inputs"), accepted wherever a scenario expects a number:

- ``{low, likely, high}``: a three-point estimate, PERT by default; ``dist: triangular`` or
  ``dist: pert`` picks the shape explicitly. Central value: ``likely``.
- ``{dist: lognormal, median, p90}``: right-skewed and unbounded above. Central value: ``median``.
- ``{dist: uniform, low, high}``: every value in the range equally likely. Central value: the midpoint
  (= the mean).
- ``{dist: beta, n_correct, n_items}``: a measured accuracy (eval results, :mod:`costmodel.simulation.evals`);
  samples from the Beta posterior under Jeffreys' prior, ``Beta(k + 1/2, n - k + 1/2)``. Central
  value: the observed rate ``k / n``.

Why PERT by default: it keeps the three-point estimate's range but puts less weight on the extremes
than the triangular shape, whose mean ``(low + likely + high) / 3`` is dragged by a long tail; PERT's
mean ``(low + 4 likely + high) / 6`` is the classic three-point estimate (Malcolm, Roseboom, Clark and
Fazar 1959, "Application of a technique for research and development program evaluation", Operations
Research 7(5); the PMI PMBOK Guide's "three-point estimating"). Pick ``triangular`` when the extremes
are as plausible as the shape suggests.

Parsing a mapping into one of these lives in :mod:`costmodel.scenario.distribution_parser`; the
beta-function numerics behind the CDFs in :mod:`costmodel.scenario.beta_function`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
from numpy.typing import NDArray

from costmodel.scenario.beta_function import beta_cdf, invert_cdf

Array = NDArray[np.float64]

DEFAULT_THREE_POINT = "pert"
"""Shape of ``{low, likely, high}`` when ``dist`` is not given (see the module docstring for why)."""

PERT_LAMBDA = 4.0
"""Weight of the mode in the Beta-PERT shape (Malcolm et al. 1959; the standard PERT value)."""

Z_P90 = NormalDist().inv_cdf(0.9)
"""Standard-normal 90th percentile, 1.2815515655446004: turns a lognormal's (median, p90) into sigma."""

JEFFREYS_PRIOR = 0.5
"""Beta(1/2, 1/2) prior for eval accuracies: its intervals are close to Wilson's (Brown, Cai and
DasGupta 2001, "Interval Estimation for a Binomial Proportion", Statistical Science 16(2))."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreePoint:
    """A three-point estimate ``low <= likely <= high``, shaped as PERT or triangular."""

    low: float
    likely: float
    high: float
    shape: str = DEFAULT_THREE_POINT

    def central(self) -> float:
        """The value a deterministic run uses: ``likely`` (the mode)."""
        return self.likely

    def mean(self) -> float:
        """PERT ``(a + 4m + c) / 6``; triangular ``(a + m + c) / 3``.

        >>> ThreePoint(low=0, likely=3, high=6).mean(), ThreePoint(low=0, likely=0, high=6, shape="triangular").mean()
        (3.0, 2.0)
        """
        if self.shape == "triangular":
            return (self.low + self.likely + self.high) / 3.0
        return (self.low + PERT_LAMBDA * self.likely + self.high) / (PERT_LAMBDA + 2.0)

    def _alpha_beta(self) -> tuple[float, float]:
        span = self.high - self.low
        return (
            1.0 + PERT_LAMBDA * (self.likely - self.low) / span,
            1.0 + PERT_LAMBDA * (self.high - self.likely) / span,
        )

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """``n`` independent draws."""
        if self.high == self.low:
            return np.full(n, float(self.low))
        if self.shape == "triangular":
            return rng.triangular(self.low, self.likely, self.high, n)
        a, b = self._alpha_beta()
        return self.low + (self.high - self.low) * rng.beta(a, b, n)

    def cdf(self, x: float) -> float:
        """P(X <= x)."""
        lo, m, hi = self.low, self.likely, self.high
        if x < lo:
            return 0.0
        if x >= hi:
            return 1.0
        if self.shape == "triangular":
            if x <= m:
                return (x - lo) ** 2 / ((hi - lo) * (m - lo))
            return 1.0 - (hi - x) ** 2 / ((hi - lo) * (hi - m))
        a, b = self._alpha_beta()
        return beta_cdf((x - lo) / (hi - lo), a, b)

    def ppf(self, q: float) -> float:
        """The q-quantile (smallest x with P(X <= x) >= q).

        >>> ThreePoint(low=0, likely=5, high=10, shape="triangular").ppf(0.5)
        5.0
        """
        lo, m, hi = self.low, self.likely, self.high
        if hi == lo:
            return float(lo)
        if self.shape == "triangular":
            if q <= (m - lo) / (hi - lo):
                return lo + math.sqrt(q * (hi - lo) * (m - lo))
            return hi - math.sqrt((1.0 - q) * (hi - lo) * (hi - m))
        return invert_cdf(self.cdf, q, lo, hi)

    def to_plain(self) -> dict[str, Any]:
        """The YAML mapping this distribution was written as."""
        return {"dist": self.shape, "low": self.low, "likely": self.likely, "high": self.high}

    def describe(self) -> str:
        """Short text such as ``PERT 200 / 300 / 500``."""
        name = "PERT" if self.shape == "pert" else "triangular"
        return f"{name} {self.low:g} / {self.likely:g} / {self.high:g}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Uniform:
    """Every value in ``[low, high]`` equally likely."""

    low: float
    high: float

    def central(self) -> float:
        """The midpoint, which is also the mean."""
        return 0.5 * (self.low + self.high)

    def mean(self) -> float:
        """``(low + high) / 2``."""
        return 0.5 * (self.low + self.high)

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """``n`` independent draws."""
        return rng.uniform(self.low, self.high, n)

    def cdf(self, x: float) -> float:
        """P(X <= x)."""
        if self.high == self.low:
            return 0.0 if x < self.low else 1.0
        return min(1.0, max(0.0, (x - self.low) / (self.high - self.low)))

    def ppf(self, q: float) -> float:
        """The q-quantile.

        >>> Uniform(low=10, high=20).ppf(0.1)
        11.0
        """
        return self.low + q * (self.high - self.low)

    def to_plain(self) -> dict[str, Any]:
        """The YAML mapping this distribution was written as."""
        return {"dist": "uniform", "low": self.low, "high": self.high}

    def describe(self) -> str:
        """Short text such as ``uniform 10 to 20``."""
        return f"uniform {self.low:g} to {self.high:g}"


@dataclass(frozen=True, slots=True, kw_only=True)
class LogNormal:
    """Lognormal given by its median and 90th percentile: ``sigma = ln(p90 / median) / z_0.9``."""

    median: float
    p90: float

    @property
    def sigma(self) -> float:
        """Standard deviation of ln X."""
        return math.log(self.p90 / self.median) / Z_P90

    def central(self) -> float:
        """The median (half the draws below, half above)."""
        return self.median

    def mean(self) -> float:
        """``median * exp(sigma^2 / 2)``.

        >>> round(LogNormal(median=1.0, p90=math.exp(Z_P90)).mean(), 6)  # sigma = 1
        1.648721
        """
        return self.median * math.exp(0.5 * self.sigma**2)

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """``n`` independent draws."""
        return rng.lognormal(math.log(self.median), self.sigma, n)

    def cdf(self, x: float) -> float:
        """P(X <= x)."""
        if x <= 0.0:
            return 0.0
        if self.sigma == 0.0:
            return 0.0 if x < self.median else 1.0
        return NormalDist(math.log(self.median), self.sigma).cdf(math.log(x))

    def ppf(self, q: float) -> float:
        """The q-quantile; ``ppf(0.9)`` returns ``p90``."""
        if self.sigma == 0.0:
            return self.median
        return math.exp(NormalDist(math.log(self.median), self.sigma).inv_cdf(q))

    def to_plain(self) -> dict[str, Any]:
        """The YAML mapping this distribution was written as."""
        return {"dist": "lognormal", "median": self.median, "p90": self.p90}

    def describe(self) -> str:
        """Short text such as ``lognormal median 300, p90 600``."""
        return f"lognormal median {self.median:g}, p90 {self.p90:g}"


@dataclass(frozen=True, slots=True, kw_only=True)
class EvalBeta:
    """An accuracy measured on ``n_items`` eval items, ``n_correct`` of them right (or the sum of scores)."""

    n_correct: float
    n_items: float

    @property
    def alpha(self) -> float:
        """First Beta parameter, ``k + 1/2`` (Jeffreys' prior)."""
        return self.n_correct + JEFFREYS_PRIOR

    @property
    def beta(self) -> float:
        """Second Beta parameter, ``n - k + 1/2``."""
        return self.n_items - self.n_correct + JEFFREYS_PRIOR

    def central(self) -> float:
        """The observed accuracy ``k / n``."""
        return self.n_correct / self.n_items

    def mean(self) -> float:
        """Posterior mean ``(k + 1/2) / (n + 1)``.

        >>> EvalBeta(n_correct=9, n_items=10).mean()
        0.8636363636363636
        """
        return self.alpha / (self.alpha + self.beta)

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """``n`` independent draws."""
        return rng.beta(self.alpha, self.beta, n)

    def cdf(self, x: float) -> float:
        """P(X <= x)."""
        return beta_cdf(x, self.alpha, self.beta)

    def ppf(self, q: float) -> float:
        """The q-quantile."""
        return invert_cdf(self.cdf, q, 0.0, 1.0)

    def to_plain(self) -> dict[str, Any]:
        """The YAML mapping of this distribution."""
        return {"dist": "beta", "n_correct": self.n_correct, "n_items": self.n_items}

    def describe(self) -> str:
        """Short text such as ``eval 86 of 100 correct``."""
        return f"eval {self.n_correct:g} of {self.n_items:g} correct"


Distribution = ThreePoint | Uniform | LogNormal | EvalBeta
