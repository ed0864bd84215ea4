"""Token statistics of uploaded samples per model: counts, distributions, context fit, training cost.

Counting streams the samples of each upload in batches of about :data:`BATCH_CHARS` characters
and counts every batch once per encoding needed (exact models share their encoding's counts;
estimated models scale the ``o200k_base`` counts by their dated ratio). Per-sample counts are kept
as int64 arrays, so the texts themselves never all sit in memory at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from costmodel.catalog.tokenizer_rules import TokenizerChoice
from costmodel.core.errors import InputError, Problem
from costmodel.core.units import TOKENS_PER_MTOK
from costmodel.tokens.parsers import ParseOptions, Upload, detect_encoding, file_format, iter_samples
from costmodel.tokens.rows import N_BUCKETS, OUTPUT, SYSTEM, TRAINING_EXTRA, USER, Sample
from costmodel.tokens.tokenizers import count_many

BATCH_CHARS = 1 << 23
"""Characters of text counted per batch (a few per thread keeps every core busy)."""

PERCENTILES = (50.0, 90.0, 99.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileSummary:
    """What was read from one upload."""

    name: str
    format: str
    encoding: str
    n_bytes: int
    n_samples: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SampleTokens:
    """Per-sample token counts of all uploads for one encoding (int64 arrays, one entry per sample)."""

    encoding: str
    system_tokens: NDArray[np.int64]
    user_tokens: NDArray[np.int64]
    output_tokens: NDArray[np.int64]
    training_extra_tokens: NDArray[np.int64]

    @property
    def input_tokens(self) -> NDArray[np.int64]:
        """Tokens of the request: system prompt + the rest of the input (incl. chat framing)."""
        return self.system_tokens + self.user_tokens

    @property
    def training_tokens(self) -> NDArray[np.int64]:
        """Tokens of the whole example as billed in fine-tuning: input + output + reply framing."""
        return self.input_tokens + self.output_tokens + self.training_extra_tokens


@dataclass(frozen=True, slots=True, kw_only=True)
class CountResult:
    """Every upload counted with every encoding asked for."""

    files: tuple[FileSummary, ...]
    n_samples: int
    n_chat_samples: int
    n_samples_with_output: int
    tokens: Mapping[str, SampleTokens]


def count_uploads(
    uploads: Sequence[Upload], encodings: Collection[str], options: ParseOptions | None = None
) -> CountResult:
    """Parse every upload and count each sample's tokens with each encoding (exact, ordinary text).

    Raises:
        InputError: every problem of every upload (files are all read before raising).
    """
    options = options or ParseOptions()
    if not uploads:
        raise InputError.single("<upload>", "files", "no files given")
    names = sorted(set(encodings))
    parts: dict[str, list[NDArray[np.int64]]] = {name: [] for name in names}
    files: list[FileSummary] = []
    problems: list[Problem] = []
    n_chat = n_output = 0
    for upload in uploads:
        try:
            fmt = file_format(upload.name)
            encoding = detect_encoding(upload, max_bytes=options.max_bytes)
            n_file = 0
            for batch in _batches(iter_samples(upload, options)):
                n_file += batch.n_samples
                n_chat += batch.n_chat
                n_output += batch.n_with_output
                for name in names:
                    table = _count_batch(name, batch)
                    if batch.head_continues:
                        parts[name][-1][-1] += table[0]
                        table = table[1:]
                    if len(table):
                        parts[name].append(table)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        files.append(
            FileSummary(
                name=upload.name, format=fmt, encoding=encoding, n_bytes=len(upload.data), n_samples=n_file
            )
        )
    if problems:
        raise InputError(problems)
    tokens = {}
    for name in names:
        table = np.concatenate(parts[name]) if parts[name] else np.zeros((0, N_BUCKETS), dtype=np.int64)
        tokens[name] = SampleTokens(
            encoding=name,
            system_tokens=table[:, SYSTEM].copy(),
            user_tokens=table[:, USER].copy(),
            output_tokens=table[:, OUTPUT].copy(),
            training_extra_tokens=table[:, TRAINING_EXTRA].copy(),
        )
    n_samples = sum(f.n_samples for f in files)
    return CountResult(
        files=tuple(files),
        n_samples=n_samples,
        n_chat_samples=n_chat,
        n_samples_with_output=n_output,
        tokens=tokens,
    )


@dataclass(slots=True)
class _Batch:
    texts: list[str] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)
    """For each text: row in the batch x N_BUCKETS + bucket."""
    overhead: list[tuple[int, int, int, int]] = field(default_factory=list)
    head_continues: bool = False
    """The first row is more text of the previous batch's last sample (a long text in parts)."""
    n_samples: int = 0
    n_chat: int = 0
    n_with_output: int = 0
    chars: int = 0


def _batches(samples: Iterable[Sample]) -> Iterable[_Batch]:
    batch = _Batch()
    continuing = False
    for sample in samples:
        if not continuing:
            batch.overhead.append(sample.overhead)
            batch.n_samples += 1
            batch.n_chat += sample.chat
            batch.n_with_output += OUTPUT in sample.buckets
        elif not batch.overhead:
            batch.overhead.append((0, 0, 0, 0))
            batch.head_continues = True
        row = len(batch.overhead) - 1
        for text, bucket in zip(sample.texts, sample.buckets, strict=True):
            batch.texts.append(text)
            batch.slots.append(row * N_BUCKETS + bucket)
            batch.chars += len(text)
        continuing = sample.continues
        if batch.chars >= BATCH_CHARS:
            yield batch
            batch = _Batch()
    if batch.overhead:
        yield batch


def _count_batch(encoding: str, batch: _Batch) -> NDArray[np.int64]:
    table = np.asarray(batch.overhead, dtype=np.int64).reshape(len(batch.overhead), N_BUCKETS)
    counts = count_many(encoding, batch.texts)
    np.add.at(table.reshape(-1), np.asarray(batch.slots, dtype=np.intp), counts)
    return table


# ---------------------------------------------------------------------------------------------
# Statistics per model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    """Summary of tokens per sample; ``low_total``/``high_total`` bound an estimate's total."""

    total: float
    mean: float
    p50: float
    p90: float
    p99: float
    max: float
    low_total: float | None = None
    high_total: float | None = None


def describe_tokens(values: NDArray[np.float64] | NDArray[np.int64]) -> Distribution:
    """Total, mean, percentiles (numpy's default linear interpolation) and max of tokens per sample.

    >>> d = describe_tokens(np.array([1, 2, 3, 4]))
    >>> (d.total, d.mean, d.p50, d.max)
    (10.0, 2.5, 2.5, 4.0)
    """
    if len(values) == 0:
        raise ValueError("values: at least one sample is needed")
    p50, p90, p99 = np.percentile(values, PERCENTILES)
    return Distribution(
        total=float(np.sum(values)),
        mean=float(np.mean(values)),
        p50=float(p50),
        p90=float(p90),
        p99=float(p99),
        max=float(np.max(values)),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelTokenStats:
    """Token statistics of the uploads for one model (exact or estimated)."""

    model: str
    choice: TokenizerChoice
    n_samples: int
    input_tokens: Distribution
    output_tokens: Distribution
    system_tokens: Distribution
    training_tokens: Distribution
    """Whole examples (input + output + reply framing): tokens billed per epoch in fine-tuning."""
    input_per_sample: NDArray[np.float64] = field(repr=False)
    output_per_sample: NDArray[np.float64] = field(repr=False)
    context_window_tokens: int | None = None
    over_context_fraction: float | None = None
    """Share of samples whose input + output exceed the context window (None when it is unknown)."""

    @property
    def exact(self) -> bool:
        """True when the counts are the model's own tokenizer's, not a ratio estimate."""
        return self.choice.exact


def _with_range(d: Distribution, raw_total: float, choice: TokenizerChoice) -> Distribution:
    if choice.exact or choice.ratio_low is None or choice.ratio_high is None:
        return d
    return Distribution(
        total=d.total,
        mean=d.mean,
        p50=d.p50,
        p90=d.p90,
        p99=d.p99,
        max=d.max,
        low_total=raw_total * choice.ratio_low,
        high_total=raw_total * choice.ratio_high,
    )


def model_stats(
    counted: CountResult, choice: TokenizerChoice, *, context_window_tokens: int | None = None
) -> ModelTokenStats:
    """Statistics for one model from the counts of its encoding (scaled by its ratio when estimated).

    Formula: estimated tokens = encoding tokens x ``choice.ratio`` (low/high totals with the ratio's
    range); over-context share = mean(input + output > context window).
    """
    if choice.encoding not in counted.tokens:
        raise ValueError(f"encoding {choice.encoding!r} was not counted")
    raw = counted.tokens[choice.encoding]
    scale = 1.0 if choice.exact or choice.ratio is None else choice.ratio

    def scaled(values: NDArray[np.int64]) -> NDArray[np.float64]:
        return values.astype(np.float64) * scale

    inputs, outputs = scaled(raw.input_tokens), scaled(raw.output_tokens)
    over = None
    if context_window_tokens is not None and counted.n_samples:
        over = float(np.mean(inputs + outputs > context_window_tokens))
    return ModelTokenStats(
        model=choice.model,
        choice=choice,
        n_samples=counted.n_samples,
        input_tokens=_with_range(describe_tokens(inputs), float(raw.input_tokens.sum()), choice),
        output_tokens=_with_range(describe_tokens(outputs), float(raw.output_tokens.sum()), choice),
        system_tokens=_with_range(
            describe_tokens(scaled(raw.system_tokens)), float(raw.system_tokens.sum()), choice
        ),
        training_tokens=_with_range(
            describe_tokens(scaled(raw.training_tokens)), float(raw.training_tokens.sum()), choice
        ),
        input_per_sample=inputs,
        output_per_sample=outputs,
        context_window_tokens=context_window_tokens,
        over_context_fraction=over,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingCost:
    """Hosted fine-tuning training on the uploaded examples at one offer's price."""

    n_examples: int
    tokens_per_epoch: float
    n_epochs: float
    training_tokens: float
    training_usd: float
    low_training_usd: float | None = None
    high_training_usd: float | None = None


def training_cost(stats: ModelTokenStats, *, n_epochs: float, training_usd_per_mtok: float) -> TrainingCost:
    """Training tokens and cost: ``tokens_per_epoch x n_epochs x training_usd_per_mtok / 1e6``.

    Source: OpenAI bills "tokens in the training file x epochs" (openai-cookbook
    Chat_finetuning_data_prep.ipynb); the price per 1M training tokens comes from the offer
    (catalog kind ``finetune_offers``, field ``training_usd_per_mtok``).
    """
    if not n_epochs > 0:
        raise InputError.single("<input>", "n_epochs", f"expected a number > 0, got {n_epochs}")
    if not training_usd_per_mtok >= 0:
        raise InputError.single(
            "<input>", "training_usd_per_mtok", f"expected a number >= 0, got {training_usd_per_mtok}"
        )
    per_epoch = stats.training_tokens.total
    tokens = per_epoch * n_epochs
    usd_per_token = training_usd_per_mtok / TOKENS_PER_MTOK
    low = stats.training_tokens.low_total
    high = stats.training_tokens.high_total
    return TrainingCost(
        n_examples=stats.n_samples,
        tokens_per_epoch=per_epoch,
        n_epochs=n_epochs,
        training_tokens=tokens,
        training_usd=tokens * usd_per_token,
        low_training_usd=None if low is None else low * n_epochs * usd_per_token,
        high_training_usd=None if high is None else high * n_epochs * usd_per_token,
    )
