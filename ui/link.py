"""The share link: ``?s=`` in the address bar always holds the current scenario (:mod:`ui.share` encodes it).

app.py calls :func:`load_from_link` before drawing (a new link value opens its scenario) and
:func:`sync_link` after the sidebar (the address bar follows the scenario), so the URL is the link.
"""

from __future__ import annotations

import streamlit as st

from costmodel.core.errors import InputError
from ui import share
from ui.messages import flash_error
from ui.runs import run_scenario
from ui.session import get_scenario, set_scenario

LINK_KEY = "link_token_seen"
"""The last ``?s=`` value this session has opened or written."""
_LINK_MEMO_KEY = "_link_memo"


def load_from_link() -> None:
    """On a new link value, open its scenario; a bad link shows an error and keeps the default."""
    token = st.query_params.get(share.QUERY_PARAM)
    if token is None or token == st.session_state.get(LINK_KEY):
        return
    st.session_state[LINK_KEY] = token
    get_scenario()
    try:
        scenario = share.decode_scenario(token)
        run_scenario(scenario)
    except InputError as exc:
        flash_error(
            "The scenario in this link could not be opened; showing the current scenario instead.", str(exc)
        )
        return
    set_scenario(scenario, origin="shared link")


def link_token() -> str:
    """The query-parameter value of the current scenario (memoised per scenario)."""
    scenario = get_scenario()
    memo = st.session_state.get(_LINK_MEMO_KEY)
    if memo is not None and memo[0] is scenario:
        return str(memo[1])
    token = share.encode_scenario(scenario)
    st.session_state[_LINK_MEMO_KEY] = (scenario, token)
    return token


def sync_link() -> None:
    """Keep ``?s=`` in the address bar equal to the current scenario, so the URL is the share link."""
    token = link_token()
    if st.query_params.get(share.QUERY_PARAM) != token:
        st.query_params[share.QUERY_PARAM] = token
    st.session_state[LINK_KEY] = token
