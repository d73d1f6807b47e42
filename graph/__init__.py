"""Graph model, schema and stores of Pattern Atlas."""
