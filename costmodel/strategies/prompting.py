"""The ``prompting`` strategy: a hosted model with a system prompt and few-shot examples."""

from __future__ import annotations

from costmodel.scenario.types import (
    PromptingStrategy,
)
from costmodel.strategies.common import (
    Context,
    PreparedStrategy,
    effective_output_tokens,
    people_costs,
)
from costmodel.strategies.hosted_api import api_latency, api_pricing, reasoning_tokens, request_cost_usd


def prepare_prompting(s: PromptingStrategy, ctx: Context) -> PreparedStrategy:
    """Prompting: every request pays for system prompt, shots, user input and output tokens."""
    w = ctx.scenario.workload
    static = s.system_prompt_tokens + s.n_shots * s.tokens_per_shot
    reasoning, reasoning_notes = reasoning_tokens(s, ctx)
    out_tokens = effective_output_tokens(s, ctx) + reasoning
    pr = api_pricing(s, ctx, static + w.input_tokens_per_request, static_prefix_tokens=static)
    per_request = request_cost_usd(
        pr,
        static=static,
        dynamic=w.input_tokens_per_request,
        output=out_tokens,
        cache_hit=s.cache_hit_fraction,
    )
    setup, maintenance = people_costs(s, ctx)
    latency = api_latency(
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
        notes=pr.notes + reasoning_notes + latency.notes,
        details={
            "input_tokens_per_request": static + w.input_tokens_per_request,
            "output_tokens_per_request": out_tokens,
            "reasoning_tokens_per_request": reasoning,
        },
    )
