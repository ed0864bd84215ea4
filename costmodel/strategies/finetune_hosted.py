"""The ``finetune_hosted`` strategy: label examples, train at a provider, call the tuned model."""

from __future__ import annotations

from costmodel.core.units import (
    HOURS_PER_MONTH,
    TOKENS_PER_MTOK,
)
from costmodel.formulas import costs as f
from costmodel.scenario.types import (
    FinetuneHostedStrategy,
)
from costmodel.strategies.common import (
    Context,
    PreparedStrategy,
    effective_output_tokens,
    labeling_usd_per_example,
    people_costs,
    training_schedule_usd,
    zeros_per_month,
)
from costmodel.strategies.hosted_api import (
    api_latency,
    api_pricing,
    finetune_offer,
    reasoning_tokens,
    request_cost_usd,
)


def prepare_finetune_hosted(s: FinetuneHostedStrategy, ctx: Context) -> PreparedStrategy:
    """Hosted fine-tuning: labelling, training and retrains, tuned-model tokens, hosting fee."""
    w = ctx.scenario.workload
    offer = finetune_offer(s, ctx)
    static = s.system_prompt_tokens
    reasoning, _ = reasoning_tokens(s, ctx)
    out_tokens = effective_output_tokens(s, ctx) + reasoning
    pr = api_pricing(s, ctx, static + w.input_tokens_per_request, static_prefix_tokens=static)
    per_request = request_cost_usd(
        pr,
        static=static,
        dynamic=w.input_tokens_per_request,
        output=out_tokens,
        cache_hit=s.cache_hit_fraction,
    )
    usd_per_example, label_notes = labeling_usd_per_example(s, s, ctx)
    initial_label, initial_train, monthly_label, monthly_train = training_schedule_usd(
        s,
        ctx,
        usd_per_example=usd_per_example,
        usd_per_training_token=offer.training_usd_per_mtok / TOKENS_PER_MTOK,
    )
    setup, maintenance = people_costs(s, ctx)
    hosting = zeros_per_month(ctx) + offer.hosting_usd_per_hour * HOURS_PER_MONTH
    latency = api_latency(
        offer.base_model,
        ctx,
        pr,
        input_tokens=static + w.input_tokens_per_request,
        output_tokens=out_tokens,
        fine_tuned=True,
    )
    return PreparedStrategy(
        id=s.id,
        kind=s.kind,
        one_off_usd={"people": setup, "labeling": initial_label, "training": initial_train},
        fixed_monthly_usd={
            "people": maintenance,
            "labeling": monthly_label,
            "training": monthly_train,
            "infrastructure": hosting,
        },
        per_request_usd={"tokens": per_request},
        latency=latency,
        accuracy_fraction=s.accuracy_fraction,
        prices_as_of=pr.as_of,
        notes=pr.notes + tuple(label_notes) + latency.notes,
        details={
            "input_tokens_per_request": static + w.input_tokens_per_request,
            "output_tokens_per_request": out_tokens,
            "initial_training_tokens": f.training_tokens(
                s.n_training_examples, s.tokens_per_example, s.n_epochs
            ),
        },
    )
