"""A trained baseline: a spaCy NER pipeline trained from scratch on the release's entity layer.

- `ner.cfg`: the committed training config (made by `spacy init config`, edits listed in it);
- `folds`: which documents each model trains on and predicts (the test split, or leave one
  document out), pure;
- `train`: the spaCy export of the release's documents -> a trained pipeline per fold, in a
  fresh process each (so time and peak memory are the model's own), with a rich progress
  display, and the held-out predictions;
- `predict`: any spaCy pipeline (a trained folder or an installed package) -> prediction lines
  in the benchmark format (docs/BENCHMARK.md), each naming the model that produced it.
"""
