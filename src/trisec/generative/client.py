"""One chat-completions request with retries, over httpx, against any OpenAI-compatible
server (vLLM, llama.cpp server, Ollama, hosted APIs).

- `response_format` asks for the task's JSON Schema (`json_schema`); a server that refuses
  it (HTTP 400/422) is asked again with the plain prompt, and from then on the client sends
  plain prompts only (the system prompt carries the schema as text either way).
- HTTP 429 and 5xx, timeouts and connection errors are retried with exponential backoff
  (`Retry-After` is honoured, up to a cap); other 4xx fail at once.
- The API key is sent in the Authorization header and nowhere else: it is never part of an
  error message (any echo of it is masked), a log line or a cache entry.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
REFUSAL_STATUS = frozenset({400, 422})
MAX_RETRY_AFTER = 60.0


class RequestFailed(Exception):
    """No answer after every attempt; the message is safe to write down (no key)."""


@dataclass
class Settings:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 120.0
    retries: int = 4
    backoff: float = 1.0
    params: dict[str, Any] = field(default_factory=dict)  # temperature, max_tokens, seed


@dataclass
class Completion:
    text: str
    mode: str  # "json_schema" or "plain"
    attempts: int


@dataclass
class Counters:
    requests: int = 0  # HTTP requests sent (every attempt)
    retries: int = 0
    fallbacks: int = 0  # requests repeated without response_format


class ChatClient:
    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 max_connections: int = 16) -> None:
        self.settings = settings
        headers = {"Content-Type": "application/json"}
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        self._http = httpx.AsyncClient(
            base_url=settings.base_url.rstrip("/"), headers=headers, transport=transport,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(max_connections=max_connections))
        self.structured = True  # until the server refuses response_format
        self.counters = Counters()

    async def aclose(self) -> None:
        await self._http.aclose()

    def _safe(self, text: str) -> str:
        key = self.settings.api_key
        text = " ".join(str(text).split())[:300]
        return text.replace(key, "***") if key else text

    def _body(self, messages: list[dict[str, str]], schema: dict[str, Any] | None,
              structured: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.settings.model, "messages": messages,
                                **self.settings.params}
        if structured and schema is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": str(schema.get("title") or "answer"), "schema": schema}}
        return body

    @staticmethod
    def _content(response: httpx.Response) -> str | None:
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        return content if isinstance(content, str) else None

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            after = response.headers.get("retry-after", "")
            try:
                return min(MAX_RETRY_AFTER, max(0.0, float(after)))
            except ValueError:
                pass
        return self.settings.backoff * (2 ** attempt)

    async def complete(self, messages: list[dict[str, str]],
                       schema: dict[str, Any] | None = None) -> Completion:
        """The assistant message's text; raises RequestFailed after the last attempt."""
        attempt, structured, last = 0, self.structured, "no attempt made"
        while True:
            response: httpx.Response | None = None
            self.counters.requests += 1
            try:
                response = await self._http.post("/chat/completions",
                                                  json=self._body(messages, schema, structured))
            except httpx.TimeoutException:
                last = f"timed out after {self.settings.timeout:g} s"
            except httpx.TransportError as exc:
                last = f"connection error: {type(exc).__name__}: {self._safe(str(exc))}"
            else:
                status = response.status_code
                if status == 200:
                    text = self._content(response)
                    if text is None:
                        raise RequestFailed("HTTP 200 without choices[0].message.content: "
                                            + self._safe(response.text))
                    if not structured and self.structured and schema is not None:
                        self.structured = False  # the plain prompt worked: stay plain
                    return Completion(text, "json_schema" if structured and schema else "plain",
                                      attempt + 1)
                if status in REFUSAL_STATUS and structured and schema is not None:
                    structured = False  # ask again without response_format (no attempt used)
                    self.counters.fallbacks += 1
                    continue
                last = f"HTTP {status}: {self._safe(response.text)}"
                if status not in RETRY_STATUS:
                    raise RequestFailed(last)
            if attempt >= self.settings.retries:
                raise RequestFailed(f"{last} (after {attempt + 1} attempt(s))")
            self.counters.retries += 1
            await asyncio.sleep(self._wait(attempt, response))
            attempt += 1
