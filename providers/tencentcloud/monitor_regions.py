"""The short region codes Cloud Monitor's alarm API uses (``gz`` for ap-guangzhou), as
the public provider maps them (its ``MonitorRegionMap``): one map for the provider and the
emulated cloud."""

from __future__ import annotations

REGION_CODES = {
    "ap-guangzhou": "gz", "ap-shanghai": "sh", "ap-beijing": "bj", "ap-chengdu": "cd",
    "ap-nanjing": "nj", "ap-chongqing": "cq", "ap-hongkong": "hk", "ap-singapore": "sg",
    "ap-bangkok": "th", "ap-mumbai": "in", "ap-seoul": "kr", "ap-tokyo": "jp",
    "na-siliconvalley": "usw", "na-ashburn": "use", "na-toronto": "ca",
    "eu-frankfurt": "de", "eu-moscow": "ru", "ap-jakarta": "jkt", "sa-saopaulo": "sao"}
REGION_NAMES = {code: name for name, code in REGION_CODES.items()}
