"""Distributions: strict parsing (a table with the error rows), analytic moments and quantiles vs samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costmodel.core.schema import Collector, spec
from costmodel.core.yamlio import load_yaml
from costmodel.scenario.beta_function import beta_cdf
from costmodel.scenario.distribution_parser import parse_distribution
from costmodel.scenario.distributions import (
    DEFAULT_THREE_POINT,
    Z_P90,
    EvalBeta,
    LogNormal,
    ThreePoint,
    Uniform,
)

TOKENS = spec(unit="tokens")
FRACTION = spec(max=1.0)
POSITIVE = spec(exclusive_min=True)
GROWTH = spec(min=-0.99, max=1.0)


def parse(text: str, meta: dict[str, object] = TOKENS) -> tuple[object, list[str]]:
    node = load_yaml(text, source="d.yaml")
    col = Collector("d.yaml")
    dist = parse_distribution(node, field="workload.x", col=col, meta=meta)
    return dist, [str(p) for p in col.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{low: 200, likely: 300, high: 600}", ThreePoint(low=200, likely=300, high=600, shape="pert")),
        ("{dist: pert, low: 1, likely: 1, high: 1}", ThreePoint(low=1, likely=1, high=1, shape="pert")),
        (
            "{dist: triangular, low: 0, likely: 0, high: 6}",
            ThreePoint(low=0, likely=0, high=6, shape="triangular"),
        ),
        ("{dist: uniform, low: 10, high: 20}", Uniform(low=10, high=20)),
        ("{dist: lognormal, median: 300, p90: 600}", LogNormal(median=300, p90=600)),
        ("{dist: lognormal, median: 300, p90: 300}", LogNormal(median=300, p90=300)),
    ],
)
def test_valid_distributions_parse(text: str, expected: object) -> None:
    dist, problems = parse(text)
    assert problems == []
    assert dist == expected


def test_three_point_default_is_pert_and_central_values_are_documented() -> None:
    assert DEFAULT_THREE_POINT == "pert"
    assert ThreePoint(low=1, likely=2, high=9).central() == 2  # likely
    assert LogNormal(median=300, p90=900).central() == 300  # median
    assert Uniform(low=10, high=20).central() == 15  # midpoint
    assert EvalBeta(n_correct=86, n_items=100).central() == 0.86  # observed rate


@pytest.mark.parametrize(
    ("text", "meta", "field", "fragment"),
    [
        (
            "{low: 700, likely: 300, high: 600}",
            TOKENS,
            "workload.x.low",
            "low (700) is greater than high (600)",
        ),
        ("{dist: uniform, low: 5, high: 4}", TOKENS, "workload.x.low", "greater than high"),
        ("{low: 100, likely: 700, high: 600}", TOKENS, "workload.x.likely", "must lie between low"),
        ("{low: -3, likely: 2, high: 4}", TOKENS, "workload.x.low", "expected a number >= 0, got -3"),
        ("{low: 0, likely: 0.5, high: 1.2}", FRACTION, "workload.x.high", "expected a number <= 1, got 1.2"),
        ("{low: -0.1, likely: 0.5, high: 0.9}", FRACTION, "workload.x.low", ">= 0"),
        ("{low: 0, likely: 1, high: 2}", POSITIVE, "workload.x.low", "expected a number > 0"),
        ("{low: -1, likely: 0, high: 1.5}", GROWTH, "workload.x.high", "<= 1"),
        ("{low: 1, likely: 2, high: 3, hgih: 4}", TOKENS, "workload.x.hgih", "did you mean 'high'"),
        ("{low: 1, high: 3}", TOKENS, "workload.x.likely", "required key is missing"),
        ("{dist: normal, low: 1, high: 3}", TOKENS, "workload.x.dist", "expected one of pert, triangular"),
        ("{dist: lognormal, median: 300, p90: 200}", TOKENS, "workload.x.p90", "smaller than the median"),
        ("{dist: lognormal, median: 0, p90: 200}", TOKENS, "workload.x.median", "must be > 0"),
        ("{dist: lognormal, median: -5, p90: 200}", TOKENS, "workload.x.median", ">= 0"),
        ("{dist: lognormal, median: 0.5, p90: 0.7}", FRACTION, "workload.x.dist", "unbounded above"),
        (
            "{dist: lognormal, median: 2, p90: 3, low: 1}",
            TOKENS,
            "workload.x.low",
            "unknown key for dist lognormal",
        ),
        ("{dist: beta, n_correct: 8, n_items: 10}", TOKENS, "workload.x.dist", "only for fractions"),
        (
            "{dist: beta, n_correct: 11, n_items: 10}",
            FRACTION,
            "workload.x.n_correct",
            "greater than n_items",
        ),
        ("{dist: beta, n_correct: 0, n_items: 0}", FRACTION, "workload.x.n_items", "at least one item"),
        (
            "{low: '1e-6', likely: 2, high: 3}",
            TOKENS,
            "workload.x.low",
            "YAML reads numbers like 1e-6 as text",
        ),
        ("{low: .nan, likely: 2, high: 3}", TOKENS, "workload.x.low", "finite"),
        ("{low: 1, likely: true, high: 3}", TOKENS, "workload.x.likely", "expected a number"),
        ("{dist: [1], low: 1, likely: 2, high: 3}", TOKENS, "workload.x.dist", "expected one of"),
    ],
)
def test_invalid_distributions_name_the_field_and_line(
    text: str, meta: dict[str, object], field: str, fragment: str
) -> None:
    dist, problems = parse(text, meta)
    assert dist is None
    assert any(p.startswith(f"d.yaml:1: {field}: ") and fragment in p for p in problems), problems


def test_every_problem_of_a_mapping_is_reported_at_once() -> None:
    _, problems = parse("{low: -1, likely: x, high: 3, extra: 1}")
    assert len(problems) == 3


# --- analytic values -----------------------------------------------------------------------------


def test_beta_cdf_known_values() -> None:
    assert beta_cdf(0.5, 2.0, 3.0) == pytest.approx(11 / 16, rel=1e-13)  # 12 x (1-x)^2 integrated
    assert beta_cdf(0.3, 1.0, 1.0) == pytest.approx(0.3, rel=1e-13)  # uniform
    assert beta_cdf(0.7, 3.0, 1.0) == pytest.approx(0.7**3, rel=1e-13)  # I_x(a, 1) = x^a
    assert beta_cdf(0.2, 2.5, 4.0) == pytest.approx(1 - beta_cdf(0.8, 4.0, 2.5), rel=1e-12)  # symmetry
    # Large parameters: Beta(5000, 5000) at its mean is 1/2 by symmetry.
    assert beta_cdf(0.5, 5000.0, 5000.0) == pytest.approx(0.5, abs=1e-9)
    assert beta_cdf(0.0, 2.0, 2.0) == 0.0 and beta_cdf(1.0, 2.0, 2.0) == 1.0


def test_lognormal_parameters_reproduce_median_and_p90() -> None:
    d = LogNormal(median=300.0, p90=750.0)
    assert d.ppf(0.5) == pytest.approx(300.0, rel=1e-12)
    assert d.ppf(0.9) == pytest.approx(750.0, rel=1e-12)
    assert d.sigma == pytest.approx(math.log(2.5) / 1.2815515655446004, rel=1e-12)
    assert abs(Z_P90 - 1.2815515655446004) < 1e-15


def test_triangular_closed_forms() -> None:
    d = ThreePoint(low=0.0, likely=2.0, high=10.0, shape="triangular")
    # CDF at the mode is (m - a)/(c - a) = 0.2; mean (0 + 2 + 10)/3 = 4
    assert d.cdf(2.0) == pytest.approx(0.2)
    assert d.ppf(0.2) == pytest.approx(2.0)
    assert d.mean() == pytest.approx(4.0)


def test_pert_closed_forms() -> None:
    d = ThreePoint(low=0.0, likely=2.0, high=10.0)
    # alpha = 1 + 4*2/10 = 1.8, beta = 1 + 4*8/10 = 4.2; mean (0 + 8 + 10)/6 = 3
    assert d.mean() == pytest.approx(3.0)
    assert d.cdf(5.0) == pytest.approx(beta_cdf(0.5, 1.8, 4.2), rel=1e-12)


DISTRIBUTIONS = [
    ThreePoint(low=100.0, likely=300.0, high=900.0),
    ThreePoint(low=0.0, likely=0.0, high=6.0, shape="pert"),
    ThreePoint(low=100.0, likely=300.0, high=900.0, shape="triangular"),
    ThreePoint(low=0.0, likely=6.0, high=6.0, shape="triangular"),
    Uniform(low=-0.05, high=0.15),
    LogNormal(median=2.5, p90=6.0),
    EvalBeta(n_correct=86, n_items=100),
    EvalBeta(n_correct=3.5, n_items=4),
]


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.describe())
def test_sampled_mean_and_quantiles_match_analytic_values(dist: object) -> None:
    n = 200_000
    x = dist.sample(np.random.default_rng(20260101), n)  # type: ignore[attr-defined]
    sd = float(np.std(x))
    # Mean within 5 standard errors.
    assert abs(float(np.mean(x)) - dist.mean()) <= 5 * sd / math.sqrt(n) + 1e-12  # type: ignore[attr-defined]
    # Empirical quantiles: the analytic CDF there is within 5 binomial standard errors of q.
    for q in (0.1, 0.5, 0.9):
        empirical = float(np.quantile(x, q))
        assert abs(dist.cdf(empirical) - q) <= 5 * math.sqrt(q * (1 - q) / n), q  # type: ignore[attr-defined]
        # ...and the analytic quantile is where the empirical CDF crosses q.
        assert abs(float(np.mean(x <= dist.ppf(q))) - q) <= 5 * math.sqrt(q * (1 - q) / n)  # type: ignore[attr-defined]


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.describe())
def test_ppf_inverts_cdf(dist: object) -> None:
    for q in (0.01, 0.1, 0.5, 0.9, 0.99):
        assert dist.cdf(dist.ppf(q)) == pytest.approx(q, abs=1e-9)  # type: ignore[attr-defined]


def test_degenerate_ranges_are_constants() -> None:
    rng = np.random.default_rng(1)
    assert ThreePoint(low=5, likely=5, high=5).sample(rng, 4).tolist() == [5.0] * 4
    assert ThreePoint(low=5, likely=5, high=5, shape="triangular").ppf(0.3) == 5.0
    assert Uniform(low=2, high=2).sample(rng, 3).tolist() == [2.0] * 3
    assert LogNormal(median=7, p90=7).sample(rng, 3).tolist() == pytest.approx([7.0] * 3)
    assert LogNormal(median=7, p90=7).ppf(0.1) == 7.0


def test_same_seed_same_draws() -> None:
    d = ThreePoint(low=1, likely=2, high=4)
    a = d.sample(np.random.default_rng(9), 50)
    b = d.sample(np.random.default_rng(9), 50)
    assert (a == b).all()
    assert not (a == d.sample(np.random.default_rng(10), 50)).all()


def test_to_plain_round_trips_through_the_parser() -> None:
    for dist in DISTRIBUTIONS:
        node = dist.to_plain()
        col = Collector("x")
        meta = FRACTION if isinstance(dist, EvalBeta) else spec(min=-1.0)
        assert parse_distribution(node, field="f", col=col, meta=meta) == dist, col.problems


@given(
    st.floats(0, 1e6, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
    st.sampled_from(["pert", "triangular"]),
)
def test_three_point_draws_stay_in_range_and_quantiles_are_monotone(
    low: float, a: float, b: float, shape: str
) -> None:
    high = low + 1000 * max(a, b)
    likely = low + 1000 * min(a, b)
    d = ThreePoint(low=low, likely=likely, high=high, shape=shape)
    x = d.sample(np.random.default_rng(0), 200)
    assert (x >= low).all() and (x <= high).all()
    qs = [d.ppf(q) for q in (0.05, 0.1, 0.5, 0.9, 0.95)]
    assert qs == sorted(qs)
    assert low <= qs[0] and qs[-1] <= high
