"""Publishing one uploaded leaflet on the seed library, end to end, on the real service (issue #15).

`python -m bench.publish_time [--workers 2] [--runs 3]`: builds the seed index from corpus/ into a temp dir,
starts `python -m service` on loopback over it with its own library store, then, per run: uploads a generated
leaflet (PDF when bench.leaflets can make one, else Markdown) with the staff API, describes and activates it,
publishes, polls the job to done, and asks the chat a question only that leaflet answers until a reply cites
it (every worker must have swapped). Prints each stage's seconds. Needs nothing from ../shared.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.machine import REPO, describe
from bench.server import NO_FLOOD_LIMITS, start_server

QUESTION = "When can children with chickenpox go back to school?"
LEAFLET = """---
title: Chickenpox at home, leaflet {n}
publisher: Riverside Dermatology Demo
---
# Chickenpox at home

Chickenpox is a common childhood illness caused by the varicella zoster virus. It causes an itchy rash of
small blisters that crust over within a week.

# When your child can go back to school

Keep your child home from nursery or school until every blister has crusted over, usually five days after
the rash first appeared. Calamine lotion and cool baths can soothe the itching. Leaflet number {n}.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    machine = describe()
    print(
        f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, Python {machine['python']}"
    )
    with tempfile.TemporaryDirectory(prefix="publish-bench-") as tmp:
        work = Path(tmp)
        env = {
            **NO_FLOOD_LIMITS,
            "CLINIC_LIBRARY_URL": f"sqlite:///{work}/library.db",
            "CLINIC_RELOAD_INTERVAL": "1",
        }
        subprocess.run(
            [sys.executable, "-m", "index", "build", "--out", str(work / "index")],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        server = start_server(work / "index", work, workers=args.workers, settings=env)
        try:
            headers = {"Authorization": f"Bearer {server.staff_token}"}
            with httpx.Client(base_url=server.base_url, timeout=60.0, headers=headers) as client:
                print(f"service ready in {server.cold_start_seconds:.1f} s, {args.workers} workers")
                print("run  upload s  publish s  cited after s  end to end s  chunks")
                for n in range(1, args.runs + 1):
                    started = time.perf_counter()
                    uploaded = client.post(
                        "/api/v1/library/documents",
                        files={"file": (f"chickenpox-{n}.md", LEAFLET.format(n=n).encode())},
                        data={"actor": "bench"},
                    )
                    uploaded.raise_for_status()
                    doc_id = uploaded.json()["doc_id"]
                    client.patch(
                        f"/api/v1/library/documents/{doc_id}",
                        json={"actor": "bench", "review_due": "2099-01-01"},
                    ).raise_for_status()
                    client.post(
                        f"/api/v1/library/documents/{doc_id}/activate", json={"actor": "bench"}
                    ).raise_for_status()
                    upload_s = time.perf_counter() - started
                    job = client.post("/api/v1/library/publish", json={"actor": "bench"}).json()
                    while job["state"] not in ("done", "failed"):
                        time.sleep(0.1)
                        job = client.get(f"/api/v1/library/publish/{job['job_id']}").json()
                    if job["state"] == "failed":
                        print(f"publish failed: {job['error']}")
                        return 1
                    published_s = time.perf_counter() - started
                    cited = False
                    while (
                        time.perf_counter() - started < 60
                    ):  # every worker: each reply may come from another
                        replies = [
                            client.post("/api/v1/ask", json={"question": QUESTION}).json() for _ in range(4)
                        ]
                        if all(doc_id in [c["doc_id"] for c in r.get("citations", [])] for r in replies):
                            cited = True
                            break
                        time.sleep(0.1)
                    total = time.perf_counter() - started
                    print(
                        f"{n:>3}  {upload_s:8.2f}  {published_s - upload_s:9.2f}  "
                        f"{total - published_s if cited else float('nan'):13.2f}  {total:12.2f}  "
                        f"{job['result']['chunks']}"
                    )
                    if not cited:
                        kinds = sorted({r["type"] for r in replies})
                        print(f"the chat did not cite the new leaflet within 60 s (replies: {kinds})")
                        return 1
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
