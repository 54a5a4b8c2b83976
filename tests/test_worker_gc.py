"""A server worker freezes what it built at startup (haven/asgi.py): a full garbage collection
under load then walks only the objects of requests, not the packs, schema and modules."""

import subprocess
import sys
from pathlib import Path


def test_a_worker_moves_its_startup_objects_out_of_the_collector(tmp_path: Path) -> None:
    probe = (
        "import gc, time, haven.asgi; frozen = gc.get_freeze_count(); "
        "t = time.perf_counter(); gc.collect(); "
        "print(frozen, len(gc.get_objects()), time.perf_counter() - t)"
    )
    env = {"HAVEN_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, tracked = int(out[0]), int(out[1])
    assert frozen > 100_000  # the app's objects, counted after it was built
    assert tracked < frozen // 10  # a full collection walks a small rest
