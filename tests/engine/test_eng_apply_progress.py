"""The progress ticks of long apply operations (one thread for the whole walk)."""

import threading
import time

from engine.apply.progress import ProgressTicker


def test_a_long_operation_ticks_and_a_quick_one_does_not():
    ticks = []
    ticker = ProgressTicker(lambda a, action, rid, elapsed: ticks.append((a, elapsed)), 0.05)
    try:
        for i in range(50):  # quick operations: no ticks, and no thread each
            with ticker.running(f"quick.{i}", "create", None):
                pass
        before = threading.active_count()
        with ticker.running("slow.a", "create", None):
            time.sleep(0.23)
        assert threading.active_count() == before
        ended = len(ticks)
        time.sleep(0.12)
    finally:
        ticker.stop()
    slow = [e for a, e in ticks if a == "slow.a"]
    assert [a for a, _ in ticks if a != "slow.a"] == []
    assert 2 <= len(slow) <= 5, slow
    assert slow == sorted(slow) and slow[0] >= 0.05
    assert len(ticks) == ended  # nothing after the operation ended
