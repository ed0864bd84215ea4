"""Tokens: count the tokens of uploaded sample prompts per model and put the lengths into the scenario."""

from __future__ import annotations

import dataclasses
import json
import random

import pandas as pd
import streamlit as st

from costmodel.catalog.entry import Catalogs
from costmodel.catalog.services import FinetuneOffer
from costmodel.catalog.tokenizer_rules import resolve_tokenizer
from costmodel.core.errors import InputError
from costmodel.scenario.types import (
    FinetuneHostedStrategy,
    FinetuneSelfhostedStrategy,
    PromptingStrategy,
    RagStrategy,
    Scenario,
)
from costmodel.scenario.uncertain import with_values
from costmodel.tokens.parsers import FORMATS, ParseOptions, Upload
from costmodel.tokens.report import TokenReport, build_report, report_rows
from costmodel.tokens.stats import ModelTokenStats, training_cost
from ui import messages, runs, session, words
from ui.chart import show_chart
from ui.figures.tokens import token_histogram_figure
from ui.markdown import md_literal
from ui.session_catalogs import catalogs_key, current_catalogs

# Largest file the page counts: the app's upload limit (server.maxUploadSize, in MiB like Streamlit's
# uploader). No bare string literals at module level here: Streamlit's "magic" would print them.
BYTES_PER_MIB = 1024 * 1024
MAX_UPLOAD_BYTES = int(st.get_option("server.maxUploadSize")) * BYTES_PER_MIB

COMMON_MODELS = (
    "openai/gpt-4o",
    "openai/gpt-4.1",
    "openai/gpt-4.1-mini",
    "openai/gpt-5",
    "openai/gpt-4",
    "anthropic/claude-sonnet-4-5",
    "google/gemini-2.5-flash",
    "meta-llama/llama-3.1-8b-instruct",
    "qwen/qwen3-32b",
    "mistral/mistral-large",
)
DEMO_KEY = "tokens_demo"
APPLIED_KEY = "tokens_applied_message"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One field the sample's counts would change: where, now, new, why, and whether it is ticked by default."""

    path: str
    label: str
    old: float
    new: float
    why: str
    default: bool


def proposed_changes(scenario: Scenario, stats: ModelTokenStats) -> list[Change]:
    """Every field the counts would change (unchanged ones left out), with the arithmetic behind each value.

    Token lengths are ticked by default; the number of training examples never is, because a sample is
    rarely the whole training set.
    """
    w = scenario.workload
    system = stats.system_tokens.mean
    user = round(max(0.0, stats.input_tokens.mean - system), 1)
    out = [
        Change(
            path="workload.input_tokens_per_request",
            label="input tokens per request",
            old=w.input_tokens_per_request,
            new=user,
            why=(
                f"the sample's mean input {stats.input_tokens.mean:,.1f} tokens minus its system prompt "
                f"{system:,.1f}: the scenario counts the system prompt per strategy (system_prompt_tokens)"
                if system > 0
                else f"the sample's mean input, {stats.input_tokens.mean:,.1f} tokens"
            ),
            default=True,
        ),
        Change(
            path="workload.output_tokens_per_request",
            label="output tokens per request",
            old=w.output_tokens_per_request,
            new=round(stats.output_tokens.mean, 1),
            why=f"the sample's mean output, {stats.output_tokens.mean:,.1f} tokens",
            default=True,
        ),
    ]
    for i, s in enumerate(scenario.strategies):
        if not isinstance(s, FinetuneHostedStrategy | FinetuneSelfhostedStrategy):
            continue
        out.append(
            Change(
                path=f"strategies[{i}].tokens_per_example",
                label=f"{s.id}: tokens per training example",
                old=s.tokens_per_example,
                new=round(stats.training_tokens.mean, 1),
                why="mean tokens of a whole example in the sample (input + output + reply framing)",
                default=True,
            )
        )
        out.append(
            Change(
                path=f"strategies[{i}].n_training_examples",
                label=f"{s.id}: number of training examples",
                old=s.n_training_examples,
                new=stats.n_samples,
                why=(
                    f"the sample has {stats.n_samples:,} examples; tick only if it is the whole training set "
                    "(this changes labelling and training costs)"
                ),
                default=False,
            )
        )
    return [c for c in out if c.old != c.new]


def scenario_models(scenario: Scenario, catalogs: Catalogs) -> list[str]:
    """Model ids the scenario uses (catalog references only) that have a tokenizer rule in ``catalogs``."""
    refs: list[str] = []
    for s in scenario.strategies:
        if isinstance(s, PromptingStrategy | RagStrategy) and isinstance(s.model, str):
            refs.append(s.model)
        elif isinstance(s, FinetuneHostedStrategy) and isinstance(s.offer, str):
            refs.append(s.offer)
        elif isinstance(s, FinetuneSelfhostedStrategy) and isinstance(s.base_model, str):
            refs.append(s.base_model)
    out = []
    for ref in refs:
        try:
            resolve_tokenizer(ref, catalogs)
        except InputError:
            continue
        if ref not in out:
            out.append(ref)
    return out


def demo_upload(n_chats: int = 60, seed: int = 3) -> Upload:
    """Generated fine-tuning chats (demo data, made in memory; not real conversations)."""
    rng = random.Random(seed)
    topics = [
        "a declined card payment",
        "a refund that has not arrived",
        "a locked account",
        "an unknown charge",
    ]
    rows = []
    for i in range(n_chats):
        topic = rng.choice(topics)
        question = f"Hello, I need help with {topic}. " + "It happened again this week. " * rng.randint(0, 6)
        answer = f"Thanks for reaching out about {topic}. " + "Here is what you can do next. " * rng.randint(
            1, 12
        )
        rows.append(
            {
                "messages": [
                    {"role": "system", "content": "You are a concise support agent for a payments company."},
                    {"role": "user", "content": f"Ticket {i}: {question}"},
                    {"role": "assistant", "content": answer},
                ]
            }
        )
    return Upload(name="demo-support-chats.jsonl", data="\n".join(json.dumps(r) for r in rows).encode())


@st.cache_data(max_entries=4, ttl=600, show_spinner="Counting tokens…")
def count(
    files: tuple[tuple[str, bytes], ...],
    models: tuple[str, ...],
    input_column: str | None,
    output_column: str | None,
    separator: str | None,
    context_window: int | None,
    catalogs_id: str,
    _catalogs: Catalogs,
) -> TokenReport:
    """The token report with the session's catalogs (tokenizer rules, context windows).

    Cached in memory per files, models, options and ``catalogs_id`` (the catalogs' key, as the
    catalogs themselves are not hashed); nothing goes to disk.
    """
    options = ParseOptions(
        input_column=input_column,
        output_column=output_column,
        separator=separator,
        max_bytes=MAX_UPLOAD_BYTES,
    )
    uploads = [Upload(name=name, data=data) for name, data in files]
    return build_report(
        uploads, list(models), _catalogs, options, context_window=context_window, file="<tokens page>"
    )


st.title("Tokens")
st.caption(
    "Upload sample prompts (.txt/.md, .csv/.tsv, .jsonl incl. chat fine-tuning files, .json) to count their tokens "
    "per model. OpenAI models are counted exactly (o200k_base, cl100k_base); other vendors are **estimated** from "
    "the o200k_base count with a dated ratio and range. Files stay in memory; nothing is stored."
)

scenario = session.get_scenario()
catalogs = current_catalogs()
uploaded = st.file_uploader(
    "Sample files",
    type=sorted(ext.lstrip(".") for ext in FORMATS),
    accept_multiple_files=True,
    help="One sample per .txt/.md file (or split on a separator), one per CSV row, JSONL line or JSON array item.",
)
use_demo = st.checkbox("Use generated demo data (60 support chats in the fine-tuning format)", key=DEMO_KEY)

defaults = scenario_models(scenario, catalogs) or ["openai/gpt-4o"]
models = st.multiselect(
    "Models",
    options=list(dict.fromkeys([*defaults, *COMMON_MODELS])),
    default=defaults,
    accept_new_options=True,
    help="Any model id; the tokenizer comes from costmodel/catalog/data/tokenizers.yaml.",
)
with st.expander("Columns, separator and context window"):
    c1, c2, c3 = st.columns(3)
    input_column = c1.text_input(
        "Input column / JSON key", help="Default: input, prompt, text, question, ..."
    )
    output_column = c2.text_input(
        "Output column / JSON key", help="Default: output, completion, response, ..."
    )
    separator = c3.text_input(
        r"Separator for .txt/.md (\n for a newline)", help=r"e.g. \n---\n; empty = one sample per file"
    )
    window = st.number_input(
        "Context window (tokens; 0 = each model's from the price data)", min_value=0, value=0, step=1000
    )

files: list[tuple[str, bytes]] = [(f.name, f.getvalue()) for f in uploaded or []]
if use_demo:
    demo = demo_upload()
    files.append((demo.name, demo.data))
if not files:
    st.info("Upload sample files (or tick the demo data) to count their tokens.")
    st.stop()
if not models:
    st.info("Choose at least one model.")
    st.stop()

try:
    report = count(
        tuple(files),
        tuple(models),
        input_column.strip() or None,
        output_column.strip() or None,
        separator.replace("\\n", "\n").replace("\\t", "\t") or None,
        int(window) or None,
        catalogs_key(),
        catalogs,
    )
except InputError as exc:
    messages.show_error(str(exc), title="These samples could not be counted:")
    st.stop()

counted = report.counted
st.markdown(
    f"**{counted.n_samples:,} samples** from "
    + ", ".join(f"{md_literal(f.name)} ({f.format}, {f.n_samples:,})" for f in counted.files)
    + (f"; {counted.n_chat_samples:,} chats" if counted.n_chat_samples else "")
)
counts, counts_text = words.text_where_missing(pd.DataFrame(report_rows(report)))  # "—", never "None"
st.dataframe(counts, hide_index=True, column_config=words.table_config(counts, counts_text))
estimated = [s for s in report.models if not s.exact]
for s in estimated:
    c = s.choice
    st.caption(
        f"{s.model}: {c.label}, confidence {c.confidence}, as of {c.as_of.isoformat()} — [source]({c.source_url})"
    )

direction = (
    st.segmented_control("Show", ["input", "output"], default="input", key="tokens_direction") or "input"
)
windows = {s.context_window_tokens for s in report.models}
shared_window = next(iter(windows)) if len(windows) == 1 else None
show_chart(
    token_histogram_figure(report.models, direction=direction, context_window_tokens=shared_window),
    key="tokens_hist",
    name=f"{direction} tokens per sample",
)

if counted.n_samples_with_output:
    st.subheader("Fine-tuning on these samples")
    offers: list[FinetuneOffer] = catalogs.all("finetune_offers")
    ft = next((s for s in scenario.strategies if isinstance(s, FinetuneHostedStrategy)), None)
    c1, c2 = st.columns(2)
    epochs = c1.number_input(
        "Epochs", min_value=0.1, max_value=100.0, value=float(ft.n_epochs) if ft else 3.0
    )
    offer_ids = [o.id for o in offers]
    default_offer = (
        ft.offer if ft is not None and isinstance(ft.offer, str) and ft.offer in offer_ids else None
    )
    offer_id = (
        c2.selectbox(
            "Hosted offer (training price)",
            offer_ids,
            index=offer_ids.index(default_offer) if default_offer else 0,
        )
        if offer_ids
        else None
    )
    if offer_id is not None:
        price = next(o.training_usd_per_mtok for o in offers if o.id == offer_id)
        rows = []
        for s in report.models:
            cost = training_cost(s, n_epochs=float(epochs), training_usd_per_mtok=price)
            rows.append(
                {
                    "model": s.model,
                    "counted": s.choice.label,
                    "examples": cost.n_examples,
                    "tokens_per_epoch": cost.tokens_per_epoch,
                    "training_tokens": cost.training_tokens,
                    "training_usd": cost.training_usd,
                    "low_training_usd": cost.low_training_usd,
                    "high_training_usd": cost.high_training_usd,
                }
            )
        costs, costs_text = words.text_where_missing(pd.DataFrame(rows))
        st.dataframe(costs, hide_index=True, column_config=words.table_config(costs, costs_text))
        st.caption(
            f"At {price:g} USD per 1M training tokens ({offer_id}); tokens x epochs, as OpenAI bills training."
        )

st.subheader("Apply to the scenario")
if APPLIED_KEY in st.session_state:
    st.success(st.session_state.pop(APPLIED_KEY))
model_for_scenario = st.selectbox("Use the counts of", [s.model for s in report.models])
stats = next(s for s in report.models if s.model == model_for_scenario)
changes = proposed_changes(scenario, stats)
if not changes:
    st.info("The scenario already holds these counts: nothing to change.")
else:
    st.markdown("Tick the changes to make (field: now → new); nothing unticked is written.")
    ticked = {}
    for change in changes:
        label = f"{change.label}: {change.old:,.6g} → {change.new:,.6g}"
        ticked[change.path] = st.checkbox(
            label, value=change.default, key=f"tk_apply_{change.path}", help=change.why
        )
        st.caption(change.why)
    chosen = {c.path: c.new for c in changes if ticked[c.path]}
    if st.button("Apply ticked changes", type="primary", disabled=not chosen):
        candidate = with_values(scenario, chosen)
        if runs.apply_scenario(candidate, origin="Tokens page"):
            # Rerun so the sidebar shows the new values; the confirmation survives the rerun.
            st.session_state[APPLIED_KEY] = (
                f"Applied the counts of {model_for_scenario}: "
                + "; ".join(f"{c.label} {c.old:,.6g} → {c.new:,.6g}" for c in changes if c.path in chosen)
                + "."
            )
            st.rerun()
        messages.show_flashes()
