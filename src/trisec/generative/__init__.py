"""Scoring generative models: prompts in the release, quote-to-offset alignment, and a cached
runner for OpenAI-compatible chat-completions servers (docs/BENCHMARK.md, "Score a generative
model").

- `formats`: the response format per task (JSON Schema), quoting gold spans, references.
- `instructions`: the system prompt of each task, generated from schema/labels.yaml.
- `prompts`: the rows of the `prompts` config (few-shot examples from train gold only).
- `normalise`, `align`: model answers (quoted text) -> offset predictions, with an account.
- `responses`: the responses JSONL file (read strictly, located errors).
- `client`, `cache`, `runner`: requests with retries, the on-disk cache, bounded concurrency.
"""
