"""Versions compared: diff, versions, the report, the Word redline, Markdown text."""
