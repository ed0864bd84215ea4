"""Array versions of the training and serving estimates equal the scalar ones draw by draw."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from costmodel.catalog.loader import default_catalogs
from costmodel.gpu.batch import operating_latency_ms, replica_arrays, training_usd
from costmodel.gpu.serving import (
    ServingInputs,
    choose_batch,
    estimate_serving,
    operating_batch,
    request_timings,
)
from costmodel.gpu.training import TrainingInputs, estimate_training

CAT = default_catalogs()
MODEL = CAT.find("open_models", "llama-3.1-8b")
OFFER = CAT.find("gpu_offers", "lambda/h100-sxm-80gb")
BASE = TrainingInputs(
    model=MODEL, method="qlora", gpu=CAT.find("gpus", "h100-sxm-80gb"), dataset_tokens=1.0, offer=OFFER
)


def test_training_usd_equals_estimate_training() -> None:
    tokens = np.array([1e5, 3e6, 2e7, 5e8])
    seq = np.array([2048.0, 2048.0, 4096.0, 8192.0])
    epochs = np.array([1.0, 3.0, 2.0, 0.5])
    got = training_usd(BASE, dataset_tokens=tokens, seq_len_tokens=seq, epochs=epochs)
    for k in range(4):
        one = dataclasses.replace(
            BASE, dataset_tokens=tokens[k], seq_len_tokens=int(seq[k]), epochs=epochs[k]
        )
        assert got[k] == pytest.approx(estimate_training(one).usd, rel=1e-12)


def test_training_usd_refuses_too_many_distinct_lengths() -> None:
    with pytest.raises(ValueError, match="distinct"):
        training_usd(BASE, dataset_tokens=1e6, seq_len_tokens=np.arange(2048, 2048 + 65), epochs=1.0)


@pytest.mark.parametrize("budget", [None, 4000.0, 20.0])
def test_replica_arrays_choose_as_choose_batch(budget: float | None) -> None:
    x_in, x_out = np.array([100.0, 800.0, 3000.0]), np.array([50.0, 300.0, 1000.0])
    probe = ServingInputs(model=MODEL, gpu=CAT.find("gpus", "l40s-48gb"), input_tokens=1.0, output_tokens=1.0)
    rep = replica_arrays(probe, input_tokens=x_in, output_tokens=x_out, latency_budget_ms=budget)
    for k in range(3):
        one = dataclasses.replace(
            probe, input_tokens=x_in[k], output_tokens=x_out[k], latency_budget_ms=budget
        )
        if rep.budget_missed[k]:
            one = dataclasses.replace(one, latency_budget_ms=None)
        assert rep.batch_size[k] == choose_batch(one)
        assert rep.requests_per_s[k] == pytest.approx(estimate_serving(one).requests_per_s, rel=1e-12)
    assert (
        rep.budget_missed.tolist()
        == {None: [False] * 3, 4000.0: [False, True, True], 20.0: [True] * 3}[budget]
    )


def test_operating_latency_follows_littles_law_like_the_scalar_version() -> None:
    i = ServingInputs(model=MODEL, gpu=CAT.find("gpus", "l40s-48gb"), input_tokens=300.0, output_tokens=300.0)
    rates = np.array([0.0, 1.0, 1e6])
    busy, ttft, e2e = operating_latency_ms(
        i, arrival_per_s=rates, max_batch=345, input_tokens=300.0, output_tokens=300.0
    )
    for k, rate in enumerate(rates):
        b = operating_batch(i, float(rate), 345)
        assert busy[k] == b
        assert e2e[k] == pytest.approx(float(request_timings(i, np.array([float(b)]))["end_to_end_ms"][0]))
        assert ttft[k] == pytest.approx(float(request_timings(i, np.array([1.0]))["ttft_ms"][0]))
