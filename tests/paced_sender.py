"""A sender process for the rate-limit tests: POSTs COUNT bodies to URL with CONCURRENCY
workers, each attempt (retries too) paced by the flow's shared bucket in STORE, a retry
waiting first for the server's Retry-After. Used until a test needs more than the pacing:
the dispatch tests drive `requests dispatch` itself.

    python -m tests.paced_sender STORE FLOW LIMIT/PER COUNT CONCURRENCY URL CA.pem TAG"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from reconciler.core.netpolicy import NetPolicy
from reconciler.core.ratelimit import RateLimit
from reconciler.core.retry import Verdict
from reconciler.http.attempt import answered_attempt
from reconciler.http.exchange import BoundedClient
from reconciler.http.settings import NetworkSettings
from reconciler.services.pacing import Pacer
from reconciler.store.base import open_store

MAX_ATTEMPTS = 5


async def main(argv: list[str]) -> dict[str, object]:
    store_url, flow, limit_text, count, workers, url, ca, tag = argv
    requests, per = limit_text.split("/")
    limit = RateLimit(int(requests), per)  # type: ignore[arg-type]
    network = NetworkSettings(NetPolicy.parse(["127.0.0.1"]), Path(ca))
    pacer = Pacer(lambda: open_store(store_url, migrate=False), flow, limit)
    todo = list(range(int(count)))
    attempts = 0

    async with BoundedClient(
        network, connections=int(workers), timeout=10, read_limit=1024
    ) as client:

        async def worker() -> None:
            nonlocal attempts
            while todo:
                key = f"{tag}-{todo.pop(0)}"
                for _ in range(MAX_ATTEMPTS):
                    attempts += 1
                    reply = await client.send(
                        "POST",
                        url,
                        headers={"Idempotency-Key": key},
                        content=b"[]",
                        on_the_wire=pacer.wait,
                    )
                    outcome = answered_attempt(reply)
                    if outcome.verdict is not Verdict.RETRY:
                        break
                    await asyncio.sleep(outcome.retry_after or 0.0)

        await asyncio.gather(*(worker() for _ in range(int(workers))))
    pacer.close()
    return {"attempts": attempts, "waited": round(pacer.waited, 3)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1:]))), flush=True)
