"""Scenario loading: defaults, round trip, and a table of malformed scenarios (each exits 2 naming the field)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from costmodel.cli.dispatch import main
from costmodel.core.errors import InputError
from costmodel.scenario.io import dump_scenario, load_scenario, parse_scenario, scenario_to_dict
from costmodel.scenario.types import PromptingStrategy

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

MINIMAL = """\
workload:
  requests_per_month: 1000
  input_tokens_per_request: 100
  output_tokens_per_request: 50
strategies:
  - id: p
    kind: prompting
    model: {input_usd_per_mtok: 1.0, output_usd_per_mtok: 2.0}
"""


def test_defaults_are_applied() -> None:
    s = parse_scenario(MINIMAL)
    assert s.horizon_months == 24
    assert s.discount_rate_annual_fraction == 0.0
    assert s.workload.growth_fraction_per_month == 0.0
    assert s.workload.peak_to_mean_ratio == 3.0
    assert s.people.engineer_usd_per_hour == 100.0
    strategy = s.strategies[0]
    assert isinstance(strategy, PromptingStrategy)
    assert (strategy.n_shots, strategy.cache_hit_fraction, strategy.batch_fraction) == (0, 0.0, 0.0)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_round_trip(path: Path) -> None:
    s = load_scenario(path)
    again = parse_scenario(dump_scenario(s))
    assert again == s
    assert scenario_to_dict(again) == scenario_to_dict(s)


def test_line_numbers_are_recorded() -> None:
    s = parse_scenario(MINIMAL)
    assert s.line("strategies[0].model") == 8
    assert s.line("workload.requests_per_month") == 2


def with_strategy(extra: str) -> str:
    return MINIMAL + "".join(f"    {line}\n" for line in extra.splitlines())


def replace(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


BAD: list[tuple[str, str | bytes, str]] = [
    (
        "unknown top key",
        MINIMAL + "horizon: 12\n",
        r":9: horizon: unknown key \(did you mean 'horizon_months'\?\)",
    ),
    (
        "unknown workload key",
        replace("  requests_per_month: 1000", "  requests_per_mnth: 1000"),
        r"workload.requests_per_mnth: unknown key",
    ),
    ("unknown strategy key", with_strategy("temperature: 0.2"), r"strategies\[0\].temperature: unknown key"),
    (
        "wrong type text",
        replace("requests_per_month: 1000", "requests_per_month: lots"),
        r":2: workload.requests_per_month: expected a number, got the text 'lots'",
    ),
    (
        "exponent read as text",
        replace("requests_per_month: 1000", "requests_per_month: 1e6"),
        r"workload.requests_per_month: .*write 1.0e-6",
    ),
    (
        "negative",
        replace("input_tokens_per_request: 100", "input_tokens_per_request: -5"),
        r":3: workload.input_tokens_per_request: expected a number >= 0, got -5",
    ),
    (
        "NaN",
        replace("output_tokens_per_request: 50", "output_tokens_per_request: .nan"),
        r":4: workload.output_tokens_per_request: expected a finite number",
    ),
    (
        "infinity",
        replace("requests_per_month: 1000", "requests_per_month: .inf"),
        r"workload.requests_per_month: expected a finite number",
    ),
    (
        "fraction above 1",
        with_strategy("cache_hit_fraction: 1.5"),
        r"strategies\[0\].cache_hit_fraction: expected a number <= 1",
    ),
    (
        "bool as number",
        with_strategy("n_shots: true"),
        r"strategies\[0\].n_shots: expected a number, got the boolean true",
    ),
    ("float count", with_strategy("n_shots: 2.5"), r"strategies\[0\].n_shots: expected a whole number"),
    (
        "unknown kind",
        replace("kind: prompting", "kind: promting"),
        r"strategies\[0\].kind: expected one of .*did you mean 'prompting'",
    ),
    (
        "unknown model id",
        replace("model: {input_usd_per_mtok: 1.0, output_usd_per_mtok: 2.0}", "model: openai/gpt-4.1-mimi"),
        r":8: strategies\[0\].model: unknown model 'openai/gpt-4.1-mimi'.*did you mean 'openai/gpt-4.1-mini'",
    ),
    (
        "unknown offer id",
        MINIMAL
        + "  - {id: ft, kind: finetune_hosted, offer: openai/ft-gpt-9, n_training_examples: 10, tokens_per_example: 100}\n",
        r"strategies\[1\].offer: unknown finetune_offers id 'openai/ft-gpt-9'",
    ),
    (
        "unknown labeling id",
        MINIMAL
        + "  - {id: ft, kind: finetune_hosted, offer: {training_usd_per_mtok: 1, input_usd_per_mtok: 1, output_usd_per_mtok: 1}, n_training_examples: 10, tokens_per_example: 100, labeling: expret}\n",
        r"strategies\[1\].labeling: unknown labeling_rates id 'expret'.*did you mean 'expert'",
    ),
    (
        "inline ref unknown key",
        replace("output_usd_per_mtok: 2.0}", "output_usd_per_mtok: 2.0, out_price: 3}"),
        r"strategies\[0\].model.out_price: unknown key",
    ),
    (
        "inline ref missing field",
        replace(
            "model: {input_usd_per_mtok: 1.0, output_usd_per_mtok: 2.0}", "model: {input_usd_per_mtok: 1.0}"
        ),
        r"strategies\[0\].model.output_usd_per_mtok: required key is missing",
    ),
    (
        "duplicate strategy ids",
        MINIMAL + "  - {id: p, kind: prompting, model: {input_usd_per_mtok: 1, output_usd_per_mtok: 1}}\n",
        r"strategies\[1\].id: duplicate strategy id 'p'",
    ),
    (
        "bad strategy id",
        replace("id: p", "id: My Strategy"),
        r"strategies\[0\].id: 'My Strategy' does not match",
    ),
    (
        "no strategies",
        MINIMAL.split("strategies:")[0] + "strategies: []\n",
        r"strategies: at least one strategy is required",
    ),
    (
        "missing workload",
        "strategies:\n  - {id: p, kind: prompting, model: openai/gpt-4.1}\n",
        r"workload: required block is missing",
    ),
    (
        "missing required field",
        replace("  input_tokens_per_request: 100\n", ""),
        r"workload.input_tokens_per_request: required key is missing",
    ),
    ("horizon 0", "horizon_months: 0\n" + MINIMAL, r":1: horizon_months: expected a number >= 1, got 0"),
    ("horizon 601", "horizon_months: 601\n" + MINIMAL, r":1: horizon_months: expected a number <= 600"),
    (
        "python tag",
        "name: !!python/object/apply:os.system ['echo hi']\n" + MINIMAL,
        r":1: <yaml>: .*tags like !!python/... are not allowed",
    ),
    (
        "alias bomb",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        r"<file>: document expands to more than",
    ),
    ("deep nesting", "x: " + "[" * 100 + "]" * 100 + "\n", r"nesting deeper than"),
    ("invalid UTF-8", MINIMAL.encode() + b"name: caf\xe9\n", r":9: <file>: not valid UTF-8 text"),
    (
        "10 MB file",
        "# " + "x" * (10 * 1024 * 1024) + "\n" + MINIMAL,
        r"<file>: file is .* bytes; the limit is",
    ),
    ("duplicate key", MINIMAL + "name: a\nname: b\n", r":10: <yaml>: duplicate key 'name'"),
    ("not a mapping", "- just\n- a list\n", r"<file>: expected a scenario mapping"),
    ("syntax error", "workload: {requests_per_month: 1000\n", r"<yaml>: "),
    (
        "retrain beyond horizon",
        "horizon_months: 6\n"
        + MINIMAL
        + "  - {id: ft, kind: finetune_hosted, offer: {training_usd_per_mtok: 1, input_usd_per_mtok: 1, output_usd_per_mtok: 1}, n_training_examples: 10, tokens_per_example: 100, retrain_every_months: 12}\n",
        r"strategies\[1\].retrain_every_months: must be <= horizon_months",
    ),
    (
        "value without accuracy",
        MINIMAL + "value: {usd_per_correct_answer: 1.0}\n",
        r"strategies\[0\].accuracy_fraction: required when the scenario has a value block",
    ),
    (
        "overlap >= chunk",
        MINIMAL
        + "  - {id: r, kind: rag, model: openai/gpt-4.1-mini, embedding_model: {input_usd_per_mtok: 0.02}, corpus_tokens: 1000, tokens_per_chunk: 100, chunk_overlap_tokens: 100, vector_db: {usd_per_month: 10}}\n",
        r"strategies\[1\].chunk_overlap_tokens: must be smaller than tokens_per_chunk",
    ),
    (
        "growth below -99%",
        replace(
            "  requests_per_month: 1000\n", "  requests_per_month: 1000\n  growth_fraction_per_month: -1.5\n"
        ),
        r"workload.growth_fraction_per_month: expected a number >= -0.99",
    ),
    ("empty file", "", r"<file>: expected a scenario mapping"),
    ("binary file", b"\x00\x01\x02PK\x03\x04", r"<file>: contains NUL bytes|not valid UTF-8"),
]


@pytest.mark.parametrize(("name", "text", "pattern"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_exits_2_naming_the_field(
    name: str, text: str | bytes, pattern: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code = main(["run", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2, out
    assert "Traceback" not in err and out == ""
    assert re.search(pattern, err), err
    for line in err.strip().splitlines():
        assert re.match(rf"^{re.escape(str(path))}(:\d+)?: \S+: .+", line), line


def test_all_problems_listed_at_once() -> None:
    text = (
        replace("input_tokens_per_request: 100", "input_tokens_per_request: -1").replace(
            "output_tokens_per_request: 50", "output_tokens_per_request: many"
        )
        + "colour: red\n"
    )
    with pytest.raises(InputError) as info:
        parse_scenario(text, source="s.yaml")
    fields = [p.field for p in info.value.problems]
    assert fields == ["colour", "workload.input_tokens_per_request", "workload.output_tokens_per_request"]


def test_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "/nonexistent/scenario.yaml"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_selfhosted_references_accept_inline_entries() -> None:
    from costmodel.catalog.hardware import GpuOffer, OpenModel
    from costmodel.catalog.loader import default_catalogs
    from costmodel.engine import run

    text = (ROOT / "examples" / "fintech-support.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "serve_gpu_offer: aws/l40s-48gb", "serve_gpu_offer: {gpu: l40s-48gb, on_demand_usd_per_gpu_hour: 1.2}"
    ).replace(
        "base_model: llama-3.1-8b ",
        "base_model: {n_params: 8030261248, n_layers: 32, hidden_size: 4096, n_heads: 32, n_kv_heads: 8,"
        " head_dim: 128, intermediate_size: 14336, vocab_size: 128256, context_tokens: 131072}",
    )
    s = parse_scenario(text)
    strategy = s.strategy("ft-llama-8b")
    assert isinstance(strategy.base_model, OpenModel) and isinstance(strategy.serve_gpu_offer, GpuOffer)  # type: ignore[union-attr]
    assert parse_scenario(dump_scenario(s)) == s
    assert "source_url" not in dump_scenario(s)
    inline = run(s, default_catalogs()).strategy("ft-llama-8b")
    by_id = run(load_scenario(ROOT / "examples" / "fintech-support.yaml"), default_catalogs()).strategy(
        "ft-llama-8b"
    )
    assert (
        inline.available and 0 < inline.total_usd < by_id.total_usd
    )  # $1.20/h beats the AWS L40S list price


def test_inline_gpu_offer_with_unknown_gpu_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        (ROOT / "examples" / "fintech-support.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "serve_gpu_offer: aws/l40s-48gb",
            "serve_gpu_offer: {gpu: l40s-48g, on_demand_usd_per_gpu_hour: 1.2}",
        )
    )
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "strategies[3].serve_gpu_offer.gpu: unknown gpus id 'l40s-48g'" in err and "l40s-48gb" in err
