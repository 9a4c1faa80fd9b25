"""Flood limits per client address, with the `limits` library (moving windows, in-process memory storage).

- `/api/v1/ask`: `CLINIC_RATE_LIMIT_ASK` (default 300 a minute and 3000 an hour per address: generous, since a
  whole clinic or a care home may sit behind one NAT address);
- staff routes: `CLINIC_RATE_LIMIT_STAFF` (default 120 a minute);
- failed staff tokens: `CLINIC_RATE_LIMIT_FAILED_TOKEN` (default 5 a minute and 20 an hour). Past it, every
  staff request from that address is refused (429) before its token is even compared, until the window
  moves on: guessing runs at a few tries a minute instead of thousands a second.

A refused request gets 429 with `Retry-After` (seconds) and a JSON body; on `/ask` the body still carries the
emergency number. The counters live in each worker's memory: with `--workers N` a client may get up to N
times a limit (the limits stay per address and bounded; a shared store such as Redis would make them exact).

**Behind a reverse proxy** every request arrives from the proxy's address, so all patients would share one
limit. List the proxy in `CLINIC_TRUSTED_PROXIES` (addresses or networks): only for a request whose peer is
one of them is `X-Forwarded-For` read, from the right, and the first address that is not itself a trusted
proxy is the client. From any other peer the header is ignored, so a client cannot choose its own address.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_limits(text: str) -> list[RateLimitItem]:
    """ "300/minute;3000/hour" -> limit items (ValueError naming the text when it is not one)."""
    try:
        items = parse_many(text)
    except ValueError as exc:
        raise ValueError(f"not a rate limit like '300/minute;3000/hour': {text!r}") from exc
    if not items:
        raise ValueError(f"not a rate limit like '300/minute;3000/hour': {text!r}")
    return list(items)


def parse_networks(entries: Sequence[str]) -> list[Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # seconds until the tightest exhausted window lets a request through


class RateLimits:
    """The service's three limits over one in-memory store."""

    def __init__(self, ask: str, staff: str, failed_token: str, trusted_proxies: Sequence[str] = ()) -> None:
        self.ask = parse_limits(ask)
        self.staff = parse_limits(staff)
        self.failed_token = parse_limits(failed_token)
        self.trusted = parse_networks(trusted_proxies)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def client_address(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if not self._is_trusted(peer):
            return peer
        forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
        for address in reversed(forwarded):
            if not self._is_trusted(address):
                return address
        return peer

    def hit(self, items: Sequence[RateLimitItem], scope: str, address: str) -> Refusal | None:
        """Count one request against every item; a Refusal when one of them is exhausted."""
        refused = [item for item in items if not self._limiter.hit(item, scope, address)]
        return self._refusal(refused, scope, address)

    def exhausted(self, items: Sequence[RateLimitItem], scope: str, address: str) -> Refusal | None:
        """A Refusal when one of the items has no request left, without counting this one."""
        refused = [item for item in items if not self._limiter.test(item, scope, address)]
        return self._refusal(refused, scope, address)

    def _refusal(self, refused: list[RateLimitItem], scope: str, address: str) -> Refusal | None:
        if not refused:
            return None
        resets = [self._limiter.get_window_stats(item, scope, address).reset_time for item in refused]
        return Refusal(retry_after=max(1, math.ceil(max(resets) - time.time())))

    def _is_trusted(self, address: str) -> bool:
        if not self.trusted:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)
