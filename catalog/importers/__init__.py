"""Imports from the public model registries (models.dev, LiteLLM's model map).

Each importer reads its source into a `plan.Plan` (pure functions, no database writes); then
`plan.write_plan` applies it through the same store as the API, in one transaction.
"""
