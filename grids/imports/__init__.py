"""Imports of XLSX sheets into the organisation: checking and reading files, each sheet's columns and rows."""
