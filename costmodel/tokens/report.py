"""Token report for uploads and models (what the CLI and the Tokens page show), and applying it to a scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from costmodel.catalog import prices
from costmodel.catalog.entry import Catalogs
from costmodel.catalog.tokenizer_rules import TokenizerChoice, resolve_tokenizer
from costmodel.core.errors import InputError, Problem
from costmodel.scenario.io import revalidate
from costmodel.scenario.types import FinetuneHostedStrategy, FinetuneSelfhostedStrategy, Scenario
from costmodel.tokens.parsers import ParseOptions, Upload
from costmodel.tokens.stats import CountResult, Distribution, ModelTokenStats, count_uploads, model_stats

TOKEN_FIELDS = ("total", "mean", "p50", "p90", "p99", "max")
_WORKLOAD_FIELDS = ("input_tokens_per_request", "output_tokens_per_request")
_FT_FIELDS = ("tokens_per_example", "n_training_examples")


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenReport:
    """Counts of the uploads and statistics for each model asked for (in the order asked)."""

    counted: CountResult
    models: tuple[ModelTokenStats, ...]


def context_window_tokens(model: str, catalogs: Catalogs) -> int | None:
    """The model's context window from the price data (genai-prices or ``catalogs``), or None if unknown."""
    try:
        found = prices.model_prices(model, input_tokens=0, catalogs=catalogs, file="<lookup>", field="model")
    except InputError:
        return None
    return found.context_window_tokens


def build_report(
    uploads: Sequence[Upload],
    models: Sequence[str],
    catalogs: Catalogs,
    options: ParseOptions | None = None,
    *,
    context_window: int | None = None,
    file: str = "<command line>",
    field: str = "model",
) -> TokenReport:
    """Resolve each model's tokenizer, count every upload once per encoding needed, describe per model.

    Tokenizer rules and context windows come from ``catalogs``. ``context_window`` applies to every
    model; when None, each model's window comes from the price data where it is known.
    """
    if not models:
        raise InputError.single(file, field, "choose at least one model")
    choices: list[TokenizerChoice] = []
    problems: list[Problem] = []
    for model in models:
        try:
            choices.append(resolve_tokenizer(model, catalogs, file=file, field=field))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    counted = count_uploads(uploads, {c.encoding for c in choices}, options)
    stats = tuple(
        model_stats(
            counted,
            c,
            context_window_tokens=context_window
            if context_window is not None
            else context_window_tokens(c.model, catalogs),
        )
        for c in choices
    )
    return TokenReport(counted=counted, models=stats)


def _distribution_dict(d: Distribution, exact: bool) -> dict[str, Any]:
    out: dict[str, Any] = {k: getattr(d, k) for k in TOKEN_FIELDS}
    if exact:
        out["total"] = int(d.total)
        out["max"] = int(d.max)
    else:
        out["low"] = d.low_total
        out["high"] = d.high_total
    return out


def model_dict(s: ModelTokenStats) -> dict[str, Any]:
    """One model's statistics as plain data (the JSON shape of ``breakeven tokens``)."""
    c = s.choice
    out: dict[str, Any] = {
        "encoding": c.encoding,
        "exact": c.exact,
        "label": c.label,
        "n_samples": s.n_samples,
        "input_tokens": _distribution_dict(s.input_tokens, c.exact),
        "output_tokens": _distribution_dict(s.output_tokens, c.exact),
        "system_tokens_mean": s.system_tokens.mean,
        "training_tokens_per_epoch": _distribution_dict(s.training_tokens, c.exact)["total"],
        "context_window_tokens": s.context_window_tokens,
        "over_context_fraction": s.over_context_fraction,
        "tokenizer_rule": c.rule_id,
        "confidence": c.confidence,
        "source_url": c.source_url,
        "as_of": c.as_of.isoformat(),
    }
    if not c.exact:
        out["ratio"] = {"likely": c.ratio, "low": c.ratio_low, "high": c.ratio_high}
    return out


def report_dict(report: TokenReport) -> dict[str, Any]:
    """The whole report as plain data: files read, sample count and per-model statistics."""
    counted = report.counted
    return {
        "files": [dataclasses.asdict(f) for f in counted.files],
        "n_samples": counted.n_samples,
        "n_chat_samples": counted.n_chat_samples,
        "n_samples_with_output": counted.n_samples_with_output,
        "models": {s.model: model_dict(s) for s in report.models},
    }


def report_rows(report: TokenReport) -> list[dict[str, Any]]:
    """One row per model and direction (input/output) for tables and CSV."""
    rows = []
    for s in report.models:
        for direction, d in (("input", s.input_tokens), ("output", s.output_tokens)):
            rows.append(
                {
                    "model": s.model,
                    "counted": s.choice.label,
                    "direction": direction,
                    "n_samples": s.n_samples,
                    **{
                        f"{k}_tokens": v
                        for k, v in _distribution_dict(d, s.exact).items()
                        if k in TOKEN_FIELDS
                    },
                    "low_total_tokens": d.low_total,
                    "high_total_tokens": d.high_total,
                    "over_context_fraction": s.over_context_fraction if direction == "input" else None,
                }
            )
    return rows


def apply_to_scenario(
    scenario: Scenario,
    stats: ModelTokenStats,
    *,
    strategy_ids: Collection[str] | None = None,
    set_workload: bool = True,
) -> Scenario:
    """A copy of the scenario with token lengths taken from the statistics (validated by re-parsing).

    ``workload.input_tokens_per_request`` = mean input tokens minus the system-prompt part (SCENARIO.md
    counts the system prompt per strategy, in ``system_prompt_tokens``); ``output_tokens_per_request``
    = mean output tokens. Fine-tuning strategies (all of them when ``strategy_ids`` is None) get
    ``tokens_per_example`` = mean tokens of a whole example (input + output + reply framing) and
    ``n_training_examples`` = the number of samples.
    """
    ft_kinds = (FinetuneHostedStrategy, FinetuneSelfhostedStrategy)
    known = {s.id: s for s in scenario.strategies}
    if strategy_ids is None:
        targets = {s.id for s in scenario.strategies if isinstance(s, ft_kinds)}
    else:
        problems = []
        index = {s.id: i for i, s in enumerate(scenario.strategies)}
        for sid in strategy_ids:
            if sid not in known:
                hint = f" (strategies: {', '.join(known)})" if known else ""
                problems.append(
                    Problem(
                        file=scenario.source,
                        line=None,
                        field="strategies",
                        message=f"no strategy {sid!r}{hint}",
                    )
                )
            elif not isinstance(known[sid], ft_kinds):
                path = f"strategies[{index[sid]}]"
                problems.append(
                    Problem(
                        file=scenario.source,
                        line=scenario.line(path),
                        field=f"{path}.kind",
                        message=f"strategy {sid!r} is not a fine-tuning strategy: it has no tokens_per_example",
                    )
                )
        if problems:
            raise InputError(problems)
        targets = set(strategy_ids)
    workload = scenario.workload
    if set_workload:
        user_mean = max(0.0, stats.input_tokens.mean - stats.system_tokens.mean)
        workload = dataclasses.replace(
            workload,
            input_tokens_per_request=round(user_mean, 1),
            output_tokens_per_request=round(stats.output_tokens.mean, 1),
        )
    strategies = tuple(
        dataclasses.replace(
            s, tokens_per_example=round(stats.training_tokens.mean, 1), n_training_examples=stats.n_samples
        )
        if s.id in targets and isinstance(s, ft_kinds)
        else s
        for s in scenario.strategies
    )
    # Measured values replace guesses: drop any distribution on a field set here, even one whose
    # central value happens to equal the measurement (the simulator would otherwise still draw it).
    applied = {
        f"strategies[{i}].{name}"
        for i, s in enumerate(scenario.strategies)
        if s.id in targets
        for name in _FT_FIELDS
    }
    if set_workload:
        applied |= {f"workload.{name}" for name in _WORKLOAD_FIELDS}
    uncertain = tuple((path, dist) for path, dist in scenario.uncertain if path not in applied)
    return revalidate(
        dataclasses.replace(scenario, workload=workload, strategies=strategies, uncertain=uncertain)
    )
