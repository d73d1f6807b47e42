"""Graph model, schema, stores and queries of Pattern Atlas (the bottom layer: it imports nothing of
`loaders/` or `atlas/`). Stores are opened by `atlas.open_store`."""
