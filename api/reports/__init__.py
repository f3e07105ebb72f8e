"""Renderers of read-model answers as files people open: the reconciliation as CSV and as XLSX."""
