"""Rejection filtering of teacher traces: one filter per module, selection, mixture, outputs."""
