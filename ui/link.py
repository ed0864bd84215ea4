"""The share link: ``?s=`` in the address bar always holds the current scenario (:mod:`ui.share` encodes it).

app.py calls :func:`load_from_link` before drawing (a new link value opens its scenario), inside the
error boundary of :mod:`ui.safe`, and :func:`sync_link` after the sidebar (the address bar follows
the scenario), so the URL is the link. A link goes through the same strict loader as a file
(:func:`ui.share.decode_scenario` -> :func:`costmodel.scenario.io.parse_scenario`) and the same run
(numeric gate included); any failure shows an error and opens the default scenario.

A link is only offered when the app would accept it back: :func:`link_status` decodes the token it
writes with the very decoder a visitor's link goes through, so the length the sidebar shows is
the length that opens.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from costmodel.core.errors import InputError
from ui import share
from ui.runs import run_scenario
from ui.session import get_scenario, set_scenario

LINK_KEY = "link_token_seen"
"""The last ``?s=`` value this session has opened or written."""
_LINK_MEMO_KEY = "_link_memo"


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkStatus:
    """The current scenario's link: the token, and why it cannot be shared when it cannot."""

    token: str
    refused: str | None = None
    """None when the app accepts ``token`` back; else the decoder's reason (too long, too large)."""


def load_from_link() -> None:
    """On a new link value, open its scenario; InputError (or any failure) goes to the boundary."""
    token = st.query_params.get(share.QUERY_PARAM)
    if token is None or token == st.session_state.get(LINK_KEY):
        return
    st.session_state[LINK_KEY] = token  # before decoding: a bad link is tried once, not on every rerun
    get_scenario()
    scenario = share.decode_scenario(token)
    run_scenario(scenario)
    set_scenario(scenario, origin="shared link")


def link_status() -> LinkStatus:
    """The current scenario's token and whether the app accepts it back (memoised per scenario)."""
    scenario = get_scenario()
    memo = st.session_state.get(_LINK_MEMO_KEY)
    if memo is not None and memo[0] is scenario:
        status: LinkStatus = memo[1]
        return status
    token = share.encode_scenario(scenario)
    refused = None
    try:
        share.decode_scenario(token)
    except InputError as exc:
        refused = "; ".join(p.message for p in exc.problems)
    status = LinkStatus(token=token, refused=refused)
    st.session_state[_LINK_MEMO_KEY] = (scenario, status)
    return status


def link_token() -> str:
    """The query-parameter value of the current scenario (memoised per scenario)."""
    return link_status().token


def sync_link() -> None:
    """Keep ``?s=`` equal to the current scenario; drop it when that scenario cannot be a link."""
    status = link_status()
    if status.refused is not None:
        if share.QUERY_PARAM in st.query_params:
            del st.query_params[share.QUERY_PARAM]
        st.session_state[LINK_KEY] = None
        return
    if st.query_params.get(share.QUERY_PARAM) != status.token:
        st.query_params[share.QUERY_PARAM] = status.token
    st.session_state[LINK_KEY] = status.token
