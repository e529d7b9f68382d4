"""Case file to validated case: safe YAML with places, the typed case, checks across fields, the
municipality register, the rules, costs, Norwegian formatting, schema and starter. Imports
nothing of Word or PDF."""
