"""HTTP for the connectors: bounded retries with exponential backoff, and a clear offline error.

Design: portals fail in two different ways and the user needs different advice for each.
A busy or broken server (HTTP 429 or 5xx, a timeout, a connection reset mid-transfer) is
usually transient, so the request is retried with exponential backoff (honouring
Retry-After), a bounded number of times. No route to the server at all (connection
refused, DNS lookup failed, network unreachable) will not fix itself in a few seconds, so
it fails at once with `OfflineError`, naming the URL and how to load a downloaded file
instead. Every other HTTP error (400 for a bad query, 404 for a retired dataset) fails at
once with the server's own message.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

USER_AGENT = "psp-crime-dashboard (python -m ingest fetch)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(RuntimeError):
    """A fetch failed; the message is one line saying what failed and what to do."""


class OfflineError(FetchError):
    """The portal could not be reached at all (refused, DNS failure, no route)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a connector tries before giving up.

    attempts counts every try (1 = no retry). The wait before retry n (n = 1, 2, ...) is
    backoff_s * 2**(n-1), at least the server's Retry-After, at most max_backoff_s.
    """

    attempts: int = 5
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        wait = self.backoff_s * 2.0 ** (retry - 1)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_backoff_s)


def _offline_reason(exc: requests.ConnectionError) -> str | None:
    """'connection refused' / 'DNS lookup failed' / ... when the host is unreachable, else None."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        err = stack.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, NameResolutionError):
            return "DNS lookup failed"
        if isinstance(err, NewConnectionError | OSError):
            code = getattr(err, "errno", None)
            if code == errno.ECONNREFUSED or "Connection refused" in str(err):
                return "connection refused"
            if code in (errno.ENETUNREACH, errno.EHOSTUNREACH) or "unreachable" in str(err):
                return "network unreachable"
            if "Name or service not known" in str(err) or "name resolution" in str(err):
                return "DNS lookup failed"
        stack.extend(a for a in err.args if isinstance(a, BaseException))
        stack.extend(e for e in (err.__cause__, err.__context__, getattr(err, "reason", None)) if e)
    return None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _server_message(response: requests.Response) -> str:
    """The error text a portal put in the body (Socrata: message; ArcGIS: error.message)."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message", ""))[:200]
        return str(body.get("message", ""))[:200]
    return ""


class PortalClient:
    """GET with retries; one per fetch. `offline_hint` ends the offline message.

    `sleep` is injectable so that tests can record the waits instead of waiting.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        offline_hint: str = "",
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.offline_hint = offline_hint
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(headers or {})
        self.requests_sent = 0

    def _offline(self, url: str, reason: str) -> OfflineError:
        hint = f" {self.offline_hint}" if self.offline_hint else ""
        return OfflineError(
            f"Offline: cannot reach {url} ({reason}); nothing was fetched and the store is unchanged.{hint}"
        )

    def get(
        self, url: str, params: Mapping[str, str | int] | None = None, *, stream: bool = False
    ) -> requests.Response:
        """GET url; retry 429/5xx/timeouts/resets with backoff; raise FetchError on failure."""
        policy = self.policy
        problem = ""
        for attempt in range(1, policy.attempts + 1):
            retry_after: float | None = None
            self.requests_sent += 1
            try:
                response = self.session.get(
                    url,
                    params=params,
                    timeout=(policy.connect_timeout_s, policy.read_timeout_s),
                    stream=stream,
                )
            except requests.ConnectTimeout:
                problem = f"no connection within {policy.connect_timeout_s:g} s"
            except requests.Timeout:
                problem = f"no response within {policy.read_timeout_s:g} s"
            except requests.ConnectionError as exc:
                reason = _offline_reason(exc)
                if reason is not None:
                    raise self._offline(url, reason) from None
                problem = f"connection error ({type(exc).__name__})"
            else:
                if response.ok:
                    return response
                problem = f"HTTP {response.status_code} {response.reason}".rstrip()
                message = _server_message(response)
                if response.status_code not in RETRY_STATUSES:
                    detail = f": {message}" if message else ""
                    raise FetchError(f"{problem} from {url}{detail}")
                retry_after = _retry_after(response)
                response.close()
            if attempt < policy.attempts:
                self.sleep(policy.delay(attempt, retry_after))
        raise FetchError(f"Gave up on {url} after {policy.attempts} attempts; last: {problem}")

    def get_json(self, url: str, params: Mapping[str, str | int] | None = None) -> Any:
        response = self.get(url, params)
        try:
            return response.json()
        except ValueError:
            raise FetchError(
                f"{url} did not return JSON (got {response.headers.get('Content-Type')})"
            ) from None

    def download(self, url: str, dest: Path, params: Mapping[str, str | int] | None = None) -> int:
        """Stream url into dest (written as dest.part, renamed when complete); return bytes."""
        part = dest.with_name(dest.name + ".part")
        for attempt in range(1, self.policy.attempts + 1):
            response = self.get(url, params, stream=True)
            size = 0
            try:
                with open(part, "wb") as fh:
                    for chunk in response.iter_content(chunk_size=1 << 16):
                        fh.write(chunk)
                        size += len(chunk)
            except (requests.ConnectionError, requests.Timeout) as exc:
                part.unlink(missing_ok=True)
                if attempt == self.policy.attempts:
                    raise FetchError(
                        f"Gave up on {url}: the transfer broke off ({type(exc).__name__})"
                    ) from None
                self.sleep(self.policy.delay(attempt))
                continue
            finally:
                response.close()
            part.replace(dest)
            return size
        raise AssertionError("unreachable")
