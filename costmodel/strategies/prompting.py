"""The ``prompting`` strategy: a hosted model with a system prompt and few-shot examples."""

from __future__ import annotations

from costmodel.scenario.types import (
    PromptingStrategy,
)
from costmodel.strategies.common import (
    Context,
    PreparedStrategy,
    _api_pricing,
    _latency,
    _output_tokens,
    _people,
    _request_cost,
)


def prepare_prompting(s: PromptingStrategy, ctx: Context) -> PreparedStrategy:
    """Prompting: every request pays for system prompt, shots, user input and output tokens."""
    w = ctx.scenario.workload
    static = s.system_prompt_tokens + s.n_shots * s.tokens_per_shot
    out_tokens = _output_tokens(s, ctx)
    pr = _api_pricing(s, ctx, static + w.input_tokens_per_request)
    per_request = _request_cost(
        pr,
        static=static,
        dynamic=w.input_tokens_per_request,
        output=out_tokens,
        cache_hit=s.cache_hit_fraction,
    )
    setup, maintenance = _people(s, ctx)
    latency = _latency(
        s.model, ctx, pr, input_tokens=static + w.input_tokens_per_request, output_tokens=out_tokens
    )
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd={"people": setup},
        fixed_monthly_usd={"people": maintenance},
        per_request_usd={"tokens": per_request},
        latency=latency,
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=pr.as_of,
        notes=pr.notes + latency.notes,
        details={
            "input_tokens_per_request": static + w.input_tokens_per_request,
            "output_tokens_per_request": out_tokens,
        },
    )
