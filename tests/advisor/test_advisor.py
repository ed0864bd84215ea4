"""Advisor: situations with their expected recommendation and reason, decisive flips, cost-only
fallback, hard constraints, reasons that name their criterion, and the sensitivity search.

The situations are scenario files in tests/data/advisor/ (each explains itself in its header). They
price hosted models inline and use the latency overlay in tests/data/advisor-catalog.yaml, so the
expectations do not move with pricing/. Self-hosted strategies use the built-in GPU catalogs and are
asserted on ranking logic only: they must hold before and after the self-hosted estimator exists.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from advisor_data import SITUATIONS_DIR, overlay_catalogs
from hypothesis import given
from hypothesis import strategies as st

from costmodel.advisor.criteria import BY_ID, CRITERIA, EXTRA_LABELS, KINDS
from costmodel.advisor.figures import snapshot
from costmodel.advisor.recommendation import Advice, advise, combination
from costmodel.advisor.score import example_shortfall, score
from costmodel.catalog.entry import Catalogs
from costmodel.catalog.loader import default_catalogs
from costmodel.core.jsonio import to_json
from costmodel.engine import RunResult, run
from costmodel.scenario.io import load_scenario, parse_scenario, revalidate
from costmodel.scenario.types import Needs, Scenario, Strategy
from costmodel.strategies import registry as strategy_registry
from costmodel.strategies.common import Context, PreparedStrategy


@functools.cache
def _catalogs() -> Catalogs:
    return overlay_catalogs()


@functools.cache
def situation(name: str) -> RunResult:
    """The engine's run of one situation file (cached: several tests read the same run)."""
    return run(load_scenario(SITUATIONS_DIR / f"{name}.yaml"), _catalogs())


@functools.cache
def advice_for(name: str) -> Advice:
    return advise(situation(name))


def rerun(result: RunResult, scenario: Scenario) -> RunResult:
    return run(revalidate(scenario), _catalogs())


def with_needs(name: str, **changes: Any) -> Advice:
    result = situation(name)
    needs = dataclasses.replace(result.scenario.needs or Needs(), **changes)
    return advise(result, needs, sensitivity=False)


# (situation, recommendation set, the criterion behind it, why in words).
SITUATIONS = [
    (
        "brand-voice-copy",
        {"ft-voice"},
        "style",
        "a distinctive voice, 2,000 approved examples, eight examples in every prompt",
    ),
    (
        "code-review-inhouse-framework",
        {"rag-docs"},
        "citations",
        "comments must link the framework doc; the framework changes monthly; 400 uncurated threads",
    ),
    (
        "contract-clause-extraction",
        {"ft-extractor"},
        "output_format",
        "strict JSON extraction of legal text with 1,500 worked examples",
    ),
    (
        "cost-only-no-needs",
        {"prompt-large"},
        "economics",
        "no questionnaire: the cheapest over 24 months wins",
    ),
    (
        "cost-only-with-value",
        {"rag-policies"},
        "economics",
        "no questionnaire but priced answers: the dearer, more accurate strategy has the higher net value",
    ),
    (
        "email-triage-classifier",
        {"ft-nano"},
        "narrow_task",
        "a 35-way classification with 50,000 labels at two million a month",
    ),
    (
        "hospital-discharge-on-premises",
        {"ft-llama-local"},
        "on_premises",
        "records may not leave the hospital: only the self-hosted model qualifies",
    ),
    (
        "hospital-records-no-local-option",
        {None},
        "on_premises",
        "records may not leave and no strategy runs locally: nothing qualifies",
    ),
    (
        "insurance-claims-summariser",
        {"ft-summaries"},
        "output_format",
        "a fixed eight-field template, 6,000 checked summaries, 400,000 files a month",
    ),
    ("multilingual-travel-chatbot", {"rag-live"}, "fresh_knowledge", "fares and disruptions change daily"),
    ("news-briefing", {"rag-wires"}, "fresh_knowledge", "real-time wire news with a link to every item used"),
    (
        "plain-language-rewriter-small-team",
        {"ft-hosted"},
        "style",
        "a house style learned from 1,500 pairs; no ML engineers to run GPUs",
    ),
    (
        "prototype-meeting-notes",
        {"prompt-mini"},
        "stage",
        "a prototype with 20 examples and moving requirements",
    ),
    (
        "search-suggestions-latency",
        {"ft-nano"},
        "latency",
        "an 800 ms budget at five million requests: a small tuned model with a short prompt",
    ),
    (
        "sql-generator-fixed-schema",
        {"ft-sql"},
        "output_format",
        "valid SQL for one fixed schema, 2,500 validated pairs, the schema no longer in every prompt",
    ),
    (
        "startup-small-budget",
        {"prompt-mini"},
        "budget",
        "$400 a month, 300 examples, a pilot: the others are over budget",
    ),
    (
        "tax-rules-assistant",
        {"rag-rules"},
        "citations",
        "answers must quote the rule paragraph; 150 examples only",
    ),
    (
        "telecom-agent-assist-combination",
        {"rag-tariffs", "ft-replies"},
        None,
        "weekly tariffs and a strict template: retrieval and fine-tuning combine",
    ),
]


def test_there_are_at_least_15_situations_and_each_is_in_the_table() -> None:
    files = {p.stem for p in SITUATIONS_DIR.glob("*.yaml")}
    assert len(files) >= 15
    assert files == {row[0] for row in SITUATIONS}


@pytest.mark.parametrize(("name", "expected", "criterion", "why"), SITUATIONS, ids=[s[0] for s in SITUATIONS])
def test_situation(name: str, expected: set[str | None], criterion: str | None, why: str) -> None:
    advice = advice_for(name)
    assert advice.recommended_id in expected, why
    if advice.recommended_id is None:
        assert all(r.score == 0 and r.excluded for r in advice.ranking)
        return
    top, runner_up = advice.ranking[0], advice.ranking[1]
    assert top.id == advice.recommended_id
    if criterion is None:
        return
    if BY_ID[criterion].hard:
        assert top.reasons[0].criterion == criterion
        assert not top.excluded and all(r.excluded for r in advice.ranking[1:])
    else:
        # The named criterion really pulls the recommended strategy ahead of the runner-up.
        assert top.contributions[criterion] > runner_up.contributions.get(criterion, 0.0), why
        assert any(r.criterion == criterion for r in top.reasons)


# (situation, answer, new value, recommendation set after the flip). Rows where the set is the
# original recommendation check that a non-decisive answer does not flip it.
FLIPS = [
    ("brand-voice-copy", "labeled_examples_available", 40, {"prompt-examples"}),
    ("sql-generator-fixed-schema", "labeled_examples_available", 40, {"prompt-schema"}),
    ("plain-language-rewriter-small-team", "stage", "prototype", {"prompt-guide"}),
    ("multilingual-travel-chatbot", "knowledge_change", "static", {"prompt-policies"}),
    ("telecom-agent-assist-combination", "knowledge_change", "static", {"ft-replies"}),
    ("search-suggestions-latency", "needs_citations", True, {"rag-catalogue"}),
    ("hospital-discharge-on-premises", "data_must_stay_on_premises", False, {"ft-cloud"}),
    ("hospital-records-no-local-option", "data_must_stay_on_premises", False, {"rag-cloud"}),
    ("cost-only-no-needs", "needs_citations", True, {"rag-kb"}),
    ("tax-rules-assistant", "needs_citations", False, {"rag-rules"}),
    ("news-briefing", "needs_citations", False, {"rag-wires"}),
    ("prototype-meeting-notes", "stage", "production", {"prompt-mini"}),
]


@pytest.mark.parametrize(
    ("name", "answer", "value", "expected"), FLIPS, ids=[f"{f[0]}-{f[1]}" for f in FLIPS]
)
def test_flipping_one_answer(name: str, answer: str, value: object, expected: set[str]) -> None:
    assert with_needs(name, **{answer: value}).recommended_id in expected


@pytest.mark.parametrize("name", [s[0] for s in SITUATIONS])
def test_every_reason_names_its_criterion_or_figure(name: str) -> None:
    advice = advice_for(name)
    labels = {c.id: c.label for c in CRITERIA}
    for ranked in advice.ranking:
        assert ranked.reasons, ranked.id
        for reason in ranked.reasons:
            if reason.criterion == "combination":
                assert reason.text.startswith("Combination: ")
                continue
            c = BY_ID[reason.criterion]
            allowed = [labels[c.id]] + (list(EXTRA_LABELS[:2]) if c.id == "economics" else [])
            assert any(reason.text.startswith(label) for label in allowed), reason.text
            if c.answer == "engine" or c.fits is None:
                # Figures from the engine: the text quotes at least one number.
                assert re.search(r"\d", reason.text), reason.text
            else:
                # An answer: the text quotes it in parentheses after the label.
                assert reason.text.startswith(f"{c.label} ("), reason.text


def test_json_reasons_are_the_reason_texts_and_the_shape_matches_the_contract() -> None:
    advice = advice_for("code-review-inhouse-framework")
    data = json.loads(to_json(advice.to_dict()))
    assert data["recommended_id"] == data["ranking"][0]["id"] == "rag-docs"
    assert data["recommended_kind"] == "rag"
    ids = [r["id"] for r in data["ranking"]]
    assert sorted(ids) == sorted(s.id for s in situation("code-review-inhouse-framework").scenario.strategies)
    scores = [r["score"] for r in data["ranking"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= x <= 1 for x in scores)
    for item, ranked in zip(data["ranking"], advice.ranking, strict=True):
        assert set(item) >= {"id", "kind", "score", "reasons"}
        assert item["reasons"] == [r.text for r in ranked.reasons]


# ---------------------------------------------------------------------------------------------
# Missing answers, hard constraints, unavailable strategies
# ---------------------------------------------------------------------------------------------


def test_no_needs_falls_back_to_cost_alone_and_says_so() -> None:
    result = situation("cost-only-no-needs")
    advice = advice_for("cost-only-no-needs")
    assert advice.recommended_id == result.cheapest_id
    assert any("cost results alone" in n and "total cost" in n for n in advice.notes)
    assert set(advice.applied) == {"economics"}
    for ranked in advice.ranking:
        assert {r.criterion for r in ranked.reasons} == {"economics"}
    # Scores follow cost: the cheaper, the higher.
    totals = {s.id: s.total_usd for s in result.strategies}
    ranked_totals = [totals[r.id] for r in advice.ranking]
    assert ranked_totals == sorted(ranked_totals)


def test_no_needs_with_a_value_block_falls_back_to_net_value() -> None:
    result = situation("cost-only-with-value")
    advice = advice_for("cost-only-with-value")
    best = max(result.strategies, key=lambda s: s.net_value_usd or 0.0)
    assert best.id != result.cheapest_id  # the case where cost alone and net value disagree
    assert advice.recommended_id == best.id
    assert any("cost results alone" in n and "net value" in n for n in advice.notes)


def test_an_empty_needs_block_counts_as_unanswered() -> None:
    result = situation("cost-only-no-needs")
    advice = advise(result, Needs())
    assert advice.recommended_id == result.cheapest_id
    assert any("cost results alone" in n for n in advice.notes)


def test_partly_answered_needs_list_the_missing_answers() -> None:
    advice = advice_for("hospital-records-no-local-option")
    (note,) = [n for n in advice.notes if n.startswith("Not answered:")]
    for name in ("labeled_examples_available", "stage", "latency_budget_ms"):
        assert name in note
    assert "knowledge_change" not in note


def test_on_premises_excludes_hosted_strategies_with_score_zero_and_a_reason() -> None:
    advice = advice_for("hospital-discharge-on-premises")
    by_id = {r.id: r for r in advice.ranking}
    assert len(by_id) == 3
    for sid in ("prompt-cloud", "ft-cloud"):
        assert by_id[sid].score == 0.0 and by_id[sid].excluded
        assert by_id[sid].reasons[0].text.startswith("On premises (required):")
        assert "excluded (would otherwise score" in by_id[sid].reasons[0].text
    local = by_id["ft-llama-local"]
    assert local.score > 0 and not local.excluded
    # Its money is compared only with strategies that qualify (none here), not with excluded ones.
    cost = next(r for r in local.reasons if r.criterion == "economics")
    if local.available:
        assert cost.fit == 1.0 and "the cheapest excluded strategy, prompt-cloud, would cost" in cost.text
    else:
        assert cost.fit == 0.0 and "not estimated" in cost.text


def test_no_qualifying_strategy_recommends_none_and_says_what_to_add() -> None:
    advice = advice_for("hospital-records-no-local-option")
    assert advice.recommended_id is None and advice.recommended_kind is None
    assert any("No strategy qualifies" in n and "finetune_selfhosted" in n for n in advice.notes)
    assert advice.to_dict()["recommended_id"] is None


def test_unavailable_strategy_is_ranked_with_a_reason_and_never_beats_its_priced_twin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Force the "not available" path: a preparer that cannot price the strategy excludes it from totals.
    def unavailable(s: Strategy, ctx: Context) -> PreparedStrategy:
        return PreparedStrategy(
            id=s.id,
            kind=s.kind,
            one_off_usd={},
            fixed_monthly_usd={},
            per_request_usd={},
            latency=None,
            accuracy_fraction=s.accuracy_fraction,
            prices_as_of=None,
            notes=("not available: strategy excluded from totals",),
            available=False,
        )

    monkeypatch.setitem(strategy_registry.PREPARERS, "finetune_selfhosted", unavailable)
    result = run(load_scenario(SITUATIONS_DIR / "plain-language-rewriter-small-team.yaml"), _catalogs())
    advice = advise(result, sensitivity=False)
    by_id = {r.id: r for r in advice.ranking}
    local = by_id["ft-selfhosted"]
    assert not local.available and 0 < local.score < by_id["ft-hosted"].score
    assert local.contributions["economics"] == 0.0
    assert any(r.criterion == "economics" and "not estimated" in r.text for r in local.reasons)
    assert any(n.startswith("ft-selfhosted:") for n in advice.notes)
    # With the data kept on premises it is the only one that qualifies, priced or not.
    on_prem = advise(
        result, dataclasses.replace(result.scenario.needs or Needs(), data_must_stay_on_premises=True)
    )
    assert on_prem.recommended_id == "ft-selfhosted"


def test_low_ml_experience_keeps_the_self_hosted_option_below_the_hosted_one() -> None:
    advice = advice_for("plain-language-rewriter-small-team")
    ids = [r.id for r in advice.ranking]
    assert ids.index("ft-hosted") < ids.index("ft-selfhosted")
    local = next(r for r in advice.ranking if r.id == "ft-selfhosted")
    assert any(r.criterion == "ml_team" and r.fit == 0.0 for r in local.reasons)


# ---------------------------------------------------------------------------------------------
# Weak preferences give way to the figures, strong ones do not
# ---------------------------------------------------------------------------------------------

PAIR = """
name: prompt vs fine-tune
horizon_months: 12
workload: {{requests_per_month: 100000, input_tokens_per_request: 300, output_tokens_per_request: 200}}
people: {{engineer_usd_per_hour: 100}}
needs: {needs}
strategies:
  - id: prompt
    kind: prompting
    model: {{input_usd_per_mtok: 0.4, output_usd_per_mtok: 1.6}}
    system_prompt_tokens: 1500
    n_shots: 5
    tokens_per_shot: 300
    setup_hours: 10
  - id: rag
    kind: rag
    model: {{input_usd_per_mtok: 0.4, output_usd_per_mtok: 1.6}}
    embedding_model: {{input_usd_per_mtok: 0.02}}
    corpus_tokens: 1000000
    vector_db: {{usd_per_month: 70}}
    setup_hours: {rag_hours}
  - id: ft
    kind: finetune_hosted
    offer: {{training_usd_per_mtok: 5.0, input_usd_per_mtok: 0.8, output_usd_per_mtok: 3.2}}
    n_training_examples: 2000
    tokens_per_example: 500
    setup_hours: {ft_hours}
"""


def pair(needs: str, *, ft_hours: float = 10, rag_hours: float = 10) -> Advice:
    scenario = parse_scenario(PAIR.format(needs=needs, ft_hours=ft_hours, rag_hours=rag_hours))
    return advise(run(scenario, _catalogs()), sensitivity=False)


def test_a_weak_preference_gives_way_to_a_large_cost_gap() -> None:
    weak = "{style_consistency: medium}"
    assert pair(weak, ft_hours=10).recommended_id == "ft"
    dear = pair(weak, ft_hours=150)  # $15,000 of setup: about five times the prompt's total
    assert dear.recommended_id == "prompt"


def test_a_strong_preference_survives_the_same_cost_gap() -> None:
    strong = "{output_format_strictness: high, style_consistency: high, task_type: extraction}"
    assert pair(strong, ft_hours=150).recommended_id == "ft"
    cites = "{needs_citations: true, knowledge_change: daily}"
    assert pair(cites, rag_hours=600).recommended_id == "rag"


def test_combination_is_said_when_fresh_knowledge_meets_a_strict_shape() -> None:
    advice = advice_for("telecom-agent-assist-combination")
    assert advice.combine is not None and "combine" in advice.combine
    assert advice.combine in advice.notes and advice.to_dict()["combine"] == advice.combine
    for ranked in advice.ranking:
        has = any(r.criterion == "combination" for r in ranked.reasons)
        assert has == (ranked.kind in ("rag", "finetune_hosted", "finetune_selfhosted"))
    assert advice_for("tax-rules-assistant").combine is None


@pytest.mark.parametrize(
    ("needs", "combines"),
    [
        (Needs(knowledge_change="daily", output_format_strictness="high"), True),
        (Needs(needs_citations=True, style_consistency="high"), True),
        (Needs(knowledge_change="yearly", output_format_strictness="high"), False),
        (Needs(knowledge_change="daily", output_format_strictness="medium"), False),
        (Needs(output_format_strictness="high", style_consistency="high"), False),
        (None, False),
    ],
)
def test_combination_rule(needs: Needs | None, combines: bool) -> None:
    assert (combination(needs) is not None) == combines


# ---------------------------------------------------------------------------------------------
# What would change the answer: computed by re-scoring, checked by re-scoring
# ---------------------------------------------------------------------------------------------


def _threshold(text: str) -> float:
    match = re.search(r"about \$?([\d,]+)", text)
    assert match, text
    return float(match.group(1).replace(",", ""))


def test_example_threshold_is_where_the_recommendation_really_flips() -> None:
    advice = advice_for("sql-generator-fixed-schema")
    (change,) = [c for c in advice.what_would_change if c.answer == "labeled_examples_available"]
    assert change.recommended_id == "prompt-schema" and change.text.startswith("with fewer than about")
    t = _threshold(change.text)
    assert 50 < t < 1000
    assert with_needs(
        "sql-generator-fixed-schema", labeled_examples_available=round(t * 0.8)
    ).recommended_id == ("prompt-schema")
    assert with_needs(
        "sql-generator-fixed-schema", labeled_examples_available=round(t * 1.25)
    ).recommended_id == ("ft-sql")


def test_volume_threshold_agrees_with_a_rerun_of_the_engine() -> None:
    result = situation("sql-generator-fixed-schema")
    (change,) = [
        c
        for c in advice_for("sql-generator-fixed-schema").what_would_change
        if c.answer.startswith("workload")
    ]
    assert change.recommended_id == "prompt-schema"
    t = _threshold(change.text)
    for factor, expected in ((0.8, "prompt-schema"), (1.25, "ft-sql")):
        workload = dataclasses.replace(result.scenario.workload, requests_per_month=t * factor)
        scaled = rerun(result, dataclasses.replace(result.scenario, workload=workload))
        assert advise(scaled, sensitivity=False).recommended_id == expected


def test_enumerated_changes_group_values_and_each_one_holds() -> None:
    advice = advice_for("multilingual-travel-chatbot")
    (change,) = [c for c in advice.what_would_change if c.answer == "knowledge_change"]
    values = change.value.split(" or ")
    assert "static" in values and "daily" not in values
    for value in values:
        assert (
            with_needs("multilingual-travel-chatbot", knowledge_change=value).recommended_id
            == change.recommended_id
        )
    assert with_needs("multilingual-travel-chatbot", knowledge_change="weekly").recommended_id == "rag-live"


def test_unanswered_questions_are_offered_as_what_would_change() -> None:
    changes = advice_for("cost-only-no-needs").what_would_change
    cites = [c for c in changes if c.answer == "needs_citations"]
    assert cites and cites[0].recommended_id == "rag-kb" and "not answered yet" in cites[0].text


def test_sensitivity_can_be_switched_off() -> None:
    assert advise(situation("sql-generator-fixed-schema"), sensitivity=False).what_would_change == ()


# ---------------------------------------------------------------------------------------------
# The weights table and the scoring function
# ---------------------------------------------------------------------------------------------


def test_weights_table_is_complete_and_in_range() -> None:
    ids = [c.id for c in CRITERIA]
    assert len(ids) == len(set(ids))
    needs_fields = {f.name for f in dataclasses.fields(Needs)}
    read = {c.answer for c in CRITERIA}
    assert needs_fields <= read, "every questionnaire answer is read by some criterion"
    for c in CRITERIA:
        assert c.answer in needs_fields or c.answer == "engine"
        assert len(c.why) > 60 and c.weight >= 0
        assert all(0 <= s <= 1 for _, s in c.strengths)
        if c.fits is not None:
            assert all(0 <= c.fits.of(k) <= 1 for k in KINDS)
            assert c.says is not None and all(c.says.of(k) for k in KINDS)
    assert [c.id for c in CRITERIA if c.hard] == ["on_premises"]


@pytest.mark.parametrize(
    ("n", "expected"), [(0, 1.0), (50, 1.0), (51, 0.99), (1000, 0.0), (999, 0.0), (100_000, 0.0)]
)
def test_example_shortfall_boundaries(n: int, expected: float) -> None:
    assert example_shortfall(n) == pytest.approx(expected, abs=0.01)


_LEVEL = st.sampled_from([None, "low", "medium", "high"])
_NEEDS = st.builds(
    Needs,
    knowledge_change=st.sampled_from([None, "static", "yearly", "monthly", "weekly", "daily", "realtime"]),
    needs_citations=st.sampled_from([None, True, False]),
    labeled_examples_available=st.one_of(st.none(), st.integers(0, 200_000)),
    output_format_strictness=_LEVEL,
    style_consistency=_LEVEL,
    domain_jargon=_LEVEL,
    latency_budget_ms=st.one_of(st.none(), st.floats(1.0, 100_000.0)),
    stage=st.sampled_from([None, "prototype", "pilot", "production"]),
    data_must_stay_on_premises=st.sampled_from([None, True, False]),
    task_type=st.sampled_from(
        [None, "classification", "extraction", "generation", "qa", "chat", "code", "other"]
    ),
    budget_usd_per_month=st.one_of(st.none(), st.floats(0.0, 1e6)),
    ml_team_experience=_LEVEL,
)


@given(needs=_NEEDS)
def test_scores_are_in_range_sorted_and_cover_every_strategy(needs: Needs) -> None:
    result = situation("plain-language-rewriter-small-team")
    scored = score(needs, snapshot(result))
    assert sorted(r.id for r in scored.ranking) == sorted(s.id for s in result.scenario.strategies)
    scores = [r.score for r in scored.ranking]
    assert all(0.0 <= x <= 1.0 for x in scores)
    assert scores == sorted(scores, reverse=True)
    for r in scored.ranking:
        assert r.excluded or sum(r.contributions.values()) == pytest.approx(r.score)
        assert all(reason.text for reason in r.reasons)
    top = scored.ranking[0]
    assert scored.recommended_id == (None if top.excluded else top.id)


@given(needs=_NEEDS, low=st.integers(0, 5000), extra=st.integers(1, 5000))
def test_more_examples_never_hurt_fine_tuning_nor_help_prompting(needs: Needs, low: int, extra: int) -> None:
    snap = snapshot(situation("brand-voice-copy"))
    a = {
        r.id: r.score for r in score(dataclasses.replace(needs, labeled_examples_available=low), snap).ranking
    }
    b = {
        r.id: r.score
        for r in score(dataclasses.replace(needs, labeled_examples_available=low + extra), snap).ranking
    }
    assert b["ft-voice"] >= a["ft-voice"] - 1e-12
    assert b["prompt-examples"] <= a["prompt-examples"] + 1e-12


def test_example_scenario_advice_runs_with_the_built_in_catalogs() -> None:
    root = Path(__file__).resolve().parents[2]
    result = run(load_scenario(root / "examples" / "fintech-support.yaml"), default_catalogs())
    advice = advise(result)
    assert advice.recommended_id in {s.id for s in result.scenario.strategies}
    assert len(advice.ranking) == len(result.scenario.strategies)
    assert advice.combine is not None  # monthly knowledge and a strict output format
