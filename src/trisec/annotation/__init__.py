"""Level 3, documents -> spans: gold standoff files (`gold`), re-anchoring (`reanchor`), the
guidelines' generated tables (`guidelines`), pass agreement and disagreements, the Label Studio
and spaCy round trips, and silver pre-annotation."""
