"""Catalog kind ``tokenizer_models``: which tokenizer counts a model's tokens, exactly or as an estimate.

A rule maps model ids (a regular expression over the normalised id, see
:func:`normalize_model_id`) to an encoding. Exact rules name the model's own encoding; estimate
rules (vendors whose tokenizer is not available offline) give a dated ratio ``model tokens per
encoding token`` with a low/high range. Rules are tried in file order; the first match wins.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from costmodel.catalog.entry import Catalogs, Confidence, Entry
from costmodel.core.errors import InputError, Problem
from costmodel.core.schema import spec

KIND = "tokenizer_models"


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenizerRule(Entry):
    """Model ids (regex) -> encoding, exact or scaled by a dated ratio with a range."""

    vendor: str = field(metadata=spec(help="who makes the models, for labels"))
    pattern: str = field(metadata=spec(help="regular expression, full match on the normalised model id"))
    encoding: Literal["o200k_base", "cl100k_base"] | None = field(
        default=None,
        metadata=spec(help="null or omitted: the model is not priced per text token (notes say why)"),
    )
    exact: bool = True
    ratio: float | None = field(
        default=None, metadata=spec(exclusive_min=True, max=10.0, unit="model tokens per encoding token")
    )
    ratio_low: float | None = field(default=None, metadata=spec(exclusive_min=True, max=10.0, unit="ratio"))
    ratio_high: float | None = field(default=None, metadata=spec(exclusive_min=True, max=10.0, unit="ratio"))


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenizerChoice:
    """How one model's tokens are counted (the rule that matched, resolved for that model)."""

    model: str
    rule_id: str
    vendor: str
    encoding: str
    exact: bool
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    confidence: Confidence
    source_url: str
    as_of: dt.date
    notes: str | None = None

    @property
    def label(self) -> str:
        """``exact (o200k_base)`` or ``estimated: o200k_base x 1.2 (1.1-1.3)``.

        >>> from costmodel.catalog import default_catalogs
        >>> c = resolve_tokenizer("claude-sonnet-4-5", default_catalogs())
        >>> c.label.startswith("estimated: o200k_base x ")
        True
        """
        if self.exact:
            return f"exact ({self.encoding})"
        return f"estimated: {self.encoding} x {self.ratio:g} ({self.ratio_low:g}-{self.ratio_high:g})"


def normalize_model_id(model: str) -> str:
    """The part of a model id that rules match: lower case, last path part, fine-tune wrappers removed.

    ``openai/gpt-4o`` -> ``gpt-4o``; ``ft:gpt-4.1-mini-2025-04-14:org::abc`` -> ``gpt-4.1-mini-2025-04-14``;
    ``openai/ft-gpt-4.1-mini`` (our hosted-offer ids) -> ``gpt-4.1-mini``;
    ``gpt-4o-mini-2024-07-18.ft-abc`` -> ``gpt-4o-mini-2024-07-18``.

    >>> normalize_model_id("ft:gpt-4.1-mini-2025-04-14:acme::x1")
    'gpt-4.1-mini-2025-04-14'
    >>> normalize_model_id("openai/ft-gpt-4.1-mini")
    'gpt-4.1-mini'
    """
    name = model.strip().lower().rsplit("/", 1)[-1]
    if name.startswith("ft:"):
        name = name[3:].split(":", 1)[0]
    elif name.startswith("ft-"):
        name = name[3:]
    if ".ft-" in name:
        name = name.split(".ft-", 1)[0]
    return name


def rule_problems(rule: TokenizerRule, origin: str = "") -> list[Problem]:
    """What is inconsistent in one rule (the per-field schema cannot check across fields)."""
    file, _, line_text = origin.rpartition(":")
    file = file or "costmodel/catalog/data/tokenizers.yaml"
    line = int(line_text) if line_text.isdigit() else None
    where = f"{KIND}.{rule.id}"
    out: list[Problem] = []

    def add(name: str, message: str) -> None:
        out.append(Problem(file=file, line=line, field=f"{where}.{name}", message=message))

    try:
        re.compile(rule.pattern)
    except re.error as exc:
        add("pattern", f"not a valid regular expression: {exc}")
    ratios = (rule.ratio, rule.ratio_low, rule.ratio_high)
    if rule.exact and any(r is not None for r in ratios):
        add("ratio", "an exact rule takes no ratio")
    if rule.encoding is None and not (rule.notes or "").strip():
        add("encoding", "a model without an encoding needs notes saying how it is priced instead")
    if not rule.exact:
        if rule.encoding is None:
            add("encoding", "an estimate needs the encoding its ratio applies to")
        if rule.ratio is None or rule.ratio_low is None or rule.ratio_high is None:
            add("ratio", "an estimate needs ratio, ratio_low and ratio_high")
        elif not rule.ratio_low <= rule.ratio <= rule.ratio_high:
            add(
                "ratio",
                f"expected ratio_low <= ratio <= ratio_high, got {rule.ratio_low}, {rule.ratio}, {rule.ratio_high}",
            )
    return out


def tokenizer_rules(catalogs: Catalogs) -> list[TokenizerRule]:
    """Every rule, in file order, after the cross-field checks (InputError listing all problems)."""
    rules: list[TokenizerRule] = catalogs.all(KIND)
    problems = [p for r in rules for p in rule_problems(r, catalogs.origins.get((KIND, r.id), ""))]
    if problems:
        raise InputError(problems)
    return rules


def find_rule(model: str, catalogs: Catalogs) -> TokenizerRule | None:
    """The first rule matching the model, or None."""
    name = normalize_model_id(model)
    for rule in tokenizer_rules(catalogs):
        if re.fullmatch(rule.pattern, name):
            return rule
    return None


def resolve_tokenizer(
    model: str,
    catalogs: Catalogs,
    *,
    file: str = "<command line>",
    field: str = "model",
    line: int | None = None,
) -> TokenizerChoice:
    """How to count a model's tokens; InputError for unknown models and models not priced per token.

    >>> from costmodel.catalog import default_catalogs
    >>> resolve_tokenizer("openai/gpt-4o", default_catalogs()).label
    'exact (o200k_base)'
    >>> resolve_tokenizer("ft:gpt-4.1-mini-2025-04-14:acme::x1", default_catalogs()).encoding
    'o200k_base'
    """
    if not model.strip():
        raise InputError.single(file, field, "expected a model id, got an empty text", line)
    rule = find_rule(model, catalogs)
    if rule is None:
        raise InputError.single(
            file,
            field,
            f"no tokenizer known for model {model!r} (costmodel/catalog/data/tokenizers.yaml covers OpenAI, Claude, "
            "Gemini/Gemma, Llama, Qwen and Mistral models; add a rule there or in a custom catalog)",
            line,
        )
    if rule.encoding is None:
        reason = f": {rule.notes.strip()}" if rule.notes else ""
        raise InputError.single(file, field, f"model {model!r} is not priced per text token{reason}", line)
    return TokenizerChoice(
        model=model,
        rule_id=rule.id,
        vendor=rule.vendor,
        encoding=rule.encoding,
        exact=rule.exact,
        ratio=rule.ratio,
        ratio_low=rule.ratio_low,
        ratio_high=rule.ratio_high,
        confidence=rule.confidence,
        source_url=rule.source_url,
        as_of=rule.as_of,
        notes=rule.notes,
    )
