"""Streamlit-side helpers: session state and plotly figure builders (figures never import streamlit)."""
