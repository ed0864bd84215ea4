"""The advisor's criteria: one table of weights, per-kind fits and the reasoning behind each.

Each :class:`Criterion` reads one answer of the scenario's ``needs`` block (or a figure from the
engine) and says how well each kind of strategy meets it. A strategy's score is the weighted mean
of its fits over the criteria that apply (``costmodel.advisor.recommendation``)::

    score(s) = sum_c(weight_c * strength_c * fit_c(s)) / sum_c(weight_c * strength_c)

``strength_c`` in [0, 1] is how strongly the answer makes the criterion matter (knowledge that
changes daily: 1; yearly: 0.25; static: 0, so the criterion drops out). ``fit_c(s)`` in [0, 1] is
how well the strategy's kind meets the criterion when it matters. Cost, net value, latency and
budget fits are computed from the engine's figures, so their rows carry weights and reasoning only.
The weights are judgement calls (assumption), chosen so that a strong preference (citations, facts
that change daily, a hard privacy rule) survives any price gap, while a weak one (a medium style
requirement) gives way when the figures point the other way.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("prompting", "rag", "finetune_hosted", "finetune_selfhosted")
"""Strategy kinds the advisor knows (SCENARIO.md ``kind``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Fits:
    """How well each kind meets a criterion when the criterion fully applies (0 badly .. 1 well)."""

    prompting: float
    rag: float
    finetune_hosted: float
    finetune_selfhosted: float

    def of(self, kind: str) -> float:
        """The fit of one kind (unknown kinds are neutral, 0.5).

        >>> Fits(prompting=0.2, rag=1.0, finetune_hosted=0.0, finetune_selfhosted=0.0).of("rag")
        1.0
        """
        value: float = getattr(self, kind, 0.5)
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Says:
    """What a reason says about each kind when the criterion applies (the explanation, per kind)."""

    prompting: str
    rag: str
    finetune_hosted: str
    finetune_selfhosted: str

    def of(self, kind: str) -> str:
        """The explanation for one kind."""
        text: str = getattr(self, kind, "")
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Criterion:
    """One row of the advisor's table."""

    id: str
    label: str
    """How reasons name the criterion: every reason text starts with a criterion's label."""
    answer: str
    """The ``needs`` field it reads, or ``engine`` for figures from the cost engine."""
    weight: float
    """Relative importance when the criterion fully applies; 0 for a hard constraint."""
    strengths: tuple[tuple[str, float], ...] = ()
    """Answer value -> strength in [0, 1]; empty when the strength is computed from a number."""
    fits: Fits | None = None
    """Per-kind fit; None when computed from the engine's figures."""
    says: Says | None = None
    why: str
    hard: bool = False
    """A hard constraint: strategies with fit 0 are excluded (score 0) instead of weighed."""

    def strength(self, answer: str) -> float:
        """Strength of an enumerated answer (0 when the answer does not engage the criterion)."""
        return dict(self.strengths).get(answer, 0.0)


_LEVELS = (("low", 0.0), ("medium", 0.5), ("high", 1.0))

_FORMAT_FITS = Fits(prompting=0.4, rag=0.3, finetune_hosted=1.0, finetune_selfhosted=1.0)

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        id="on_premises",
        label="On premises",
        answer="data_must_stay_on_premises",
        weight=0.0,
        hard=True,
        strengths=(("true", 1.0),),
        fits=Fits(prompting=0.0, rag=0.0, finetune_hosted=0.0, finetune_selfhosted=1.0),
        says=Says(
            prompting="every request goes to a hosted API, so the data would leave the premises",
            rag="the question and the retrieved passages go to a hosted API, so the data would leave the premises",
            finetune_hosted="training data and every request go to the provider, so the data would leave the premises",
            finetune_selfhosted="an open model on machines you control keeps the data in house",
        ),
        why=(
            "A legal or contractual rule is not a preference to trade against price: a strategy that "
            "breaks it is excluded, not down-weighted. Only self-hosted strategies qualify because the "
            "other kinds send every request to a provider's API."
        ),
    ),
    Criterion(
        id="fresh_knowledge",
        label="Knowledge changes",
        answer="knowledge_change",
        weight=5.0,
        strengths=(("yearly", 0.25), ("monthly", 0.5), ("weekly", 0.75), ("daily", 1.0), ("realtime", 1.0)),
        fits=Fits(prompting=0.2, rag=1.0, finetune_hosted=0.0, finetune_selfhosted=0.0),
        says=Says(
            prompting="a prompt only holds the few facts someone pasted in, and they are updated by hand",
            rag="retrieval reads the documents when the question comes in, so an update counts at once",
            finetune_hosted=(
                "facts learned in training stay as they were on the training day until the next retrain, "
                "and fine-tuning teaches form more reliably than facts"
            ),
            finetune_selfhosted=(
                "facts learned in training stay as they were on the training day until the next retrain, "
                "and fine-tuning teaches form more reliably than facts"
            ),
        ),
        why=(
            "Weights freeze what the model knew at training time; catching up means new examples and a new "
            "training run, and fine-tuning is an unreliable way to add facts at all. Retrieval stays "
            "current as soon as the index is. At daily or real-time change a stale answer is a wrong "
            "answer however cheap it was, so the weight (5) is the largest: at full strength the gap it "
            "opens between retrieval and prompting (5 x 0.8 = 4) or fine-tuning (5) is at least the "
            "largest possible cost gap (4). A yearly change is weak (0.25): one retrain a year is "
            "affordable."
        ),
    ),
    Criterion(
        id="citations",
        label="Citations",
        answer="needs_citations",
        weight=5.0,
        strengths=(("true", 1.0),),
        fits=Fits(prompting=0.2, rag=1.0, finetune_hosted=0.0, finetune_selfhosted=0.0),
        says=Says(
            prompting="the model can only quote what is pasted into the prompt, otherwise it has no source",
            rag="the retrieved passages are the sources, so every answer can point at them",
            finetune_hosted="a model answering from its weights cannot tell where a fact came from",
            finetune_selfhosted="a model answering from its weights cannot tell where a fact came from",
        ),
        why=(
            "When answers must cite, the source has to be in hand at answer time. Retrieval has it by "
            "construction; weights do not, and a tuned model asked for references may invent them. "
            "Weighted like fast-changing knowledge (5) because 'must cite' is a requirement, not a taste."
        ),
    ),
    Criterion(
        id="labelled_examples",
        label="Labelled examples",
        answer="labeled_examples_available",
        weight=4.0,
        fits=Fits(prompting=1.0, rag=1.0, finetune_hosted=0.0, finetune_selfhosted=0.0),
        says=Says(
            prompting="prompting needs only the handful of examples that fit in the prompt",
            rag="retrieval needs documents, not labelled examples",
            finetune_hosted="too few examples to fine-tune on: the model underfits or learns their quirks",
            finetune_selfhosted="too few examples to fine-tune on: the model underfits or learns their quirks",
        ),
        why=(
            "Fine-tuning learns from hundreds to thousands of good examples; with fewer it underperforms "
            "or overfits, and quality counts for more than quantity. The strength is the shortfall: 1 "
            "at 50 examples or fewer, 0 from 1,000 up, log-linear between (OpenAI's fine-tuning guide "
            "reports clear gains from 50-100 examples; LIMA tuned a general assistant on 1,000 curated "
            "ones). Weight 4 at full strength: with a few dozen examples fine-tuning fails outright, "
            "which no price advantage fixes. Having plenty of data is deliberately not a reason to "
            "fine-tune, so the criterion only ever counts against it."
        ),
    ),
    Criterion(
        id="output_format",
        label="Output format",
        answer="output_format_strictness",
        weight=2.0,
        strengths=_LEVELS,
        fits=_FORMAT_FITS,
        says=Says(
            prompting="instructions and examples get the format right most of the time, not every time",
            rag="retrieved text of varying shape in the prompt pulls the output away from a fixed format",
            finetune_hosted="a tuned model learns the exact structure from its examples and keeps it",
            finetune_selfhosted="a tuned model learns the exact structure from its examples and keeps it",
        ),
        why=(
            "Structure is what fine-tuning teaches best: hundreds of examples of the exact output beat a "
            "paragraph of instructions. Weight 2, not more, because providers' structured-output modes "
            "close much of the gap for machine-readable formats."
        ),
    ),
    Criterion(
        id="style",
        label="Style and voice",
        answer="style_consistency",
        weight=2.0,
        strengths=_LEVELS,
        fits=_FORMAT_FITS,
        says=Says(
            prompting="a described tone drifts between answers and model versions",
            rag="the voice of whatever passages were retrieved leaks into the answer",
            finetune_hosted="a consistent voice is learned from examples written in it",
            finetune_selfhosted="a consistent voice is learned from examples written in it",
        ),
        why=(
            "A persona or house style is a pattern, and patterns are what tuning captures; a prompt can "
            "describe a voice but the model's own habits show through. Weight 2, like the format."
        ),
    ),
    Criterion(
        id="jargon",
        label="Domain jargon",
        answer="domain_jargon",
        weight=1.5,
        strengths=_LEVELS,
        fits=Fits(prompting=0.3, rag=0.7, finetune_hosted=1.0, finetune_selfhosted=1.0),
        says=Says(
            prompting="a general model guesses at in-house terms unless the prompt defines them",
            rag="retrieved documents show the terms in use, which helps the model read and use them",
            finetune_hosted="tuning on in-domain examples teaches the vocabulary and how it is used",
            finetune_selfhosted="tuning on in-domain examples teaches the vocabulary and how it is used",
        ),
        why=(
            "Heavy jargon is language the base model has rarely seen; tuning teaches usage, retrieval "
            "shows it in context. A softer signal than format (1.5) because a glossary in the prompt "
            "goes a long way."
        ),
    ),
    Criterion(
        id="narrow_task",
        label="Task type",
        answer="task_type",
        weight=2.0,
        strengths=(("classification", 1.0), ("extraction", 1.0)),
        fits=Fits(prompting=0.4, rag=0.2, finetune_hosted=1.0, finetune_selfhosted=1.0),
        says=Says(
            prompting="a large general model spends capacity and prompt length on a narrow, repetitive task",
            rag="a bounded task reads no documents, so retrieval adds context for nothing",
            finetune_hosted="on a narrow, bounded task a small tuned model can match a large general one",
            finetune_selfhosted="on a narrow, bounded task a small tuned model can match a large general one",
        ),
        why=(
            "Classification and extraction have a bounded output space and a stable definition: the "
            "case where a small fine-tuned model with a short prompt matches a large prompted one, at a "
            "fraction of the tokens."
        ),
    ),
    Criterion(
        id="broad_task",
        label="Task type",
        answer="task_type",
        weight=1.5,
        strengths=(("chat", 1.0), ("generation", 0.5), ("code", 0.5), ("other", 0.5)),
        fits=Fits(prompting=1.0, rag=0.8, finetune_hosted=0.3, finetune_selfhosted=0.3),
        says=Says(
            prompting="a general model handles varied requests as it is",
            rag="retrieval adds knowledge without narrowing what the model can do",
            finetune_hosted="tuning a general assistant narrows it and can erode skills it had",
            finetune_selfhosted="tuning a general assistant narrows it and can erode skills it had",
        ),
        why=(
            "Open-ended chat and varied generation need the model's general skills; tuning on one "
            "distribution can make it forget others (full fine-tuning more than LoRA, Biderman et al. "
            "2024). Having data is not a reason to fine-tune a generalist."
        ),
    ),
    Criterion(
        id="knowledge_qa",
        label="Task type",
        answer="task_type",
        weight=2.0,
        strengths=(("qa", 1.0),),
        fits=Fits(prompting=0.4, rag=1.0, finetune_hosted=0.2, finetune_selfhosted=0.2),
        says=Says(
            prompting="answers are limited to the documents that fit in one prompt",
            rag="question answering over documents is what retrieval is built for",
            finetune_hosted="fine-tuning does not reliably store the facts the questions ask about",
            finetune_selfhosted="fine-tuning does not reliably store the facts the questions ask about",
        ),
        why=("When the answer is in a document, fetching the document beats hoping the weights remember it."),
    ),
    Criterion(
        id="stage",
        label="Stage",
        answer="stage",
        weight=2.5,
        strengths=(("prototype", 1.0), ("pilot", 0.4)),
        fits=Fits(prompting=1.0, rag=0.6, finetune_hosted=0.2, finetune_selfhosted=0.1),
        says=Says(
            prompting=(
                "a prompt changes in minutes while the requirements still move, and many problems first "
                "blamed on the model turn out to be prompt problems"
            ),
            rag="an index is quick to stand up, but chunking and ranking need tuning as the use case moves",
            finetune_hosted="every change of requirement means a new dataset, training run and evaluation",
            finetune_selfhosted=(
                "every change of requirement means a new dataset and training run, on infrastructure "
                "that must be built first"
            ),
        ),
        why=(
            "Before the use case is settled, speed of iteration beats unit cost: start with prompting "
            "and move on when the prompt is the bottleneck. A pilot still favours it, less strongly."
        ),
    ),
    Criterion(
        id="ml_team",
        label="ML experience",
        answer="ml_team_experience",
        weight=2.0,
        strengths=(("low", 1.0), ("medium", 0.4)),
        fits=Fits(prompting=1.0, rag=0.8, finetune_hosted=0.5, finetune_selfhosted=0.0),
        says=Says(
            prompting="needs no training or serving infrastructure",
            rag="indexing and retrieval are ordinary engineering work",
            finetune_hosted="the provider trains and serves, but datasets and evaluations still take practice",
            finetune_selfhosted="training, serving and monitoring your own GPUs needs people who have done it",
        ),
        why=(
            "A strategy the team cannot run well costs more than the model says, in time and incidents. "
            "Self-hosting needs the most specialist skill, hosted fine-tuning some, retrieval little."
        ),
    ),
    Criterion(
        id="prompt_overhead",
        label="Prompt overhead",
        answer="engine",
        weight=1.5,
        why=(
            "Few-shot examples sent with every request make each call longer and slower and crowd the "
            "context window; fine-tuning moves them into the weights once (OpenAI reports prompts up to "
            "90% shorter). Strength = the largest share of examples in any prompting or retrieval "
            "strategy's input tokens; fit = 1 - that strategy's own share (fine-tuned: 1). The cost and "
            "latency criteria count the money and milliseconds; this one counts the crowding. Counted "
            "only when the questionnaire has answers: without answers the ranking is on cost alone."
        ),
    ),
    Criterion(
        id="budget",
        label="Budget",
        answer="budget_usd_per_month",
        weight=3.0,
        why=(
            "A strategy the team cannot afford is not an option for long, but budgets stretch, so this "
            "weighs rather than excludes. Fit = min(1, budget / average monthly cost)^2 with one-off "
            "costs spread over the horizon; applies only when some strategy is over budget."
        ),
    ),
    Criterion(
        id="latency",
        label="Latency budget",
        answer="latency_budget_ms",
        weight=2.5,
        why=(
            "Users notice slow answers, and long prompts or retrieved contexts are slow to read in. "
            "Fit = min(1, budget / end-to-end latency)^2 from the engine's latency estimate: a strategy "
            "30% over budget keeps about 0.6. Applies only when some strategy is over budget."
        ),
    ),
    Criterion(
        id="economics",
        label="Cost",
        answer="engine",
        weight=4.0,
        why=(
            "Money from the engine: the horizon total, or the net value when the scenario prices right "
            "and wrong answers (then accuracy counts too). Fit = 1 / (1 + shortfall / reference): the "
            "shortfall is how much more the strategy costs (or how much less value it makes) than the "
            "best one, the reference is the cheapest strategy's total, so a strategy twice as dear as the "
            "cheapest scores 0.5. Weight 4 lets a large gap overturn weak preferences but never, alone, "
            "a full-strength knowledge or citation requirement (weight 5). A strategy the engine cannot price scores 0 here."
        ),
    ),
)
"""THE weights table. Reasoning for each weight is in its ``why``."""

LABELS = tuple(dict.fromkeys(c.label for c in CRITERIA))
"""Every criterion label (reasons start with one of these, or with 'Net value'/'Breakeven' for
figures of the economics criterion and 'Combination' for the retrieval + fine-tuning note)."""

EXTRA_LABELS = ("Net value", "Breakeven", "Combination")
"""Labels of reasons that belong to a criterion but name a figure rather than the criterion."""

BY_ID = {c.id: c for c in CRITERIA}
"""Criteria by id."""

MIN_EXAMPLES_FOR_FINETUNING = 50
"""At or below this many labelled examples fine-tuning is not worth trying (OpenAI fine-tuning guide:
clear improvements typically start at 50 to 100 examples; 10 is the API minimum)."""

ENOUGH_EXAMPLES_FOR_FINETUNING = 1000
"""From this many examples the count no longer counts against fine-tuning (LIMA, Zhou et al. 2023:
1,000 curated examples tuned a general assistant; docs/formulas.md §5.3)."""
