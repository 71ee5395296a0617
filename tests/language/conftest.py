"""The language tests drive the real ``vpnform`` binary: reuse the end-to-end helpers."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "e2e"))
