"""Validated case plus clause library to document model: clauses, placeholders in a sandbox,
enrichment, drafts."""
