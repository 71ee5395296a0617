"""HCL source text -> vpnform's syntax tree (syntax.py), with a parse cache.

``parse`` caches parse results on disk by content hash, because parsing is the expensive
step of loading a configuration; the parser itself (hcl_parser.py, the only importer of
hcl2 / lark) is imported only when a file is not in the cache, so a run whose files are all
cached never loads it (startup time, issue #14).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import os
import pickle
import tempfile

from ..diagnostics import Diagnostics, Pos, SourceRange
from ..gc_paused import gc_paused, keep_for_the_run, made_for_the_run
from ..private_files import private_dirs
from . import syntax as syn

# Bump when the syntax tree's shape changes so stale cache entries are ignored.
_CACHE_FORMAT = "vpnform-ast-11"


@functools.lru_cache(maxsize=1)
def _cache_version() -> str:
    """The cache format with the parser's versions, read from the installed packages'
    metadata so that a cache hit does not import the parser."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        hcl2_version, lark_version = version("python-hcl2"), version("lark")
    except PackageNotFoundError:  # not installed as distributions: ask the modules
        import hcl2
        import lark
        hcl2_version, lark_version = getattr(hcl2, "__version__", "?"), lark.__version__
    ts_versions = []
    for dist in ("tree-sitter", "tree-sitter-hcl"):
        try:
            ts_versions.append(f"{dist}-{version(dist)}")
        except PackageNotFoundError:
            ts_versions.append(f"{dist}-none")
    return "/".join([_CACHE_FORMAT, f"hcl2-{hcl2_version}", f"lark-{lark_version}", *ts_versions])


# ---------------------------------------------------------------------------------------
# Public API


def parse(source: str, filename: str, cache_dir: str | None = None
          ) -> tuple[syn.Body | None, Diagnostics]:
    """Parse one file's text. Returns (Body, diagnostics); Body is None on a syntax error."""
    key = None
    if cache_dir:
        key = hashlib.sha256(
            f"{_cache_version()}\0{filename}\0{source}".encode("utf-8", "surrogatepass")).hexdigest()
        cached = _cache_read(cache_dir, key)
        if cached is not None:
            return cached
        if len(source) >= FORK_MIN_CHARS and _parse_in_child(source, filename, cache_dir, key):
            cached = _cache_read(cache_dir, key)
            if cached is not None:
                return cached
    # The builders leave no reference cycles (tests/config/test_cfg_hcl_chunks.py), so the
    # new tree is kept out of the collector's reach as a loaded one is.
    with made_for_the_run():
        result = _parse_uncached(source, filename)
    if key is not None and result[0] is not None:
        _cache_write(cache_dir, key, result)  # type: ignore[arg-type]
    return result


# A file at least this long (about 2,000 resources) is parsed in a child process when it
# can be cached: see _parse_in_child.
FORK_MIN_CHARS = 1_000_000


def _parse_in_child(source: str, filename: str, cache_dir: str, key: str) -> bool:
    """Parse in a forked child that writes the cache entry, which the caller then loads.
    The caller never holds the parser's working memory (tree-sitter's tree, the builder's
    tables, the parser's modules): freed, it stayed with the allocator and added 60 MiB to
    the peak of a first `apply` of 10,000 resources (issue #14). True once the child wrote
    the entry; False where there is no fork or the child failed (a syntax error is not
    cached: the caller parses in-process then, and reports it)."""
    if not hasattr(os, "fork"):
        return False
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # the child: nothing of the parent's is flushed, closed or cleaned up
        code = 1
        try:
            with gc_paused():
                result = _parse_uncached(source, filename)
            if result[0] is not None and _cache_write(cache_dir, key, result):
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _parse_uncached(source: str, filename: str) -> tuple[syn.Body | None, Diagnostics]:
    """The parse itself, on a cache miss: tree-sitter-hcl (hcl_treesitter.py) when it can
    read the file exactly as python-hcl2 does, else python-hcl2 (hcl_parser.py), whose
    diagnostics are the ones users see. ``VPNFORM_PARSER=lark`` uses python-hcl2 only;
    ``VPNFORM_PARSER=check`` parses with both and raises if their trees differ."""
    mode = os.environ.get("VPNFORM_PARSER", "")
    fast = None
    if mode != "lark":
        try:
            from . import hcl_treesitter  # tree-sitter: loaded on a cache miss only
        except ImportError:  # tree-sitter not installed: python-hcl2 reads everything
            hcl_treesitter = None  # type: ignore[assignment]
        if hcl_treesitter is not None:
            fast = hcl_treesitter.parse_file(source, filename)
            if fast is not None and mode != "check":
                return fast
    from . import hcl_parser  # hcl2 and lark: loaded on a cache miss only
    result = hcl_parser.parse_file(source, filename)
    if fast is not None and hcl_treesitter.dump(fast[0]) != hcl_treesitter.dump(result[0]):
        raise AssertionError(f"{filename}: tree-sitter-hcl and python-hcl2 read different trees")
    return result


def parse_expression(source: str, filename: str) -> tuple[syn.Expr | None, Diagnostics]:
    """Parse a standalone expression (a -var value, a tfvars value given on a prompt…)."""
    from . import hcl_parser
    return hcl_parser.parse_expression(source, filename)


def source_range(source: str, filename: str, start: int, end: int) -> SourceRange:
    """The SourceRange of character offsets [start, end) in ``source``."""
    idx = LineIndex(source)
    return SourceRange(filename, idx.pos(start), idx.pos(end))


# ---------------------------------------------------------------------------------------
# Cache


def _cache_path(cache_dir: str, key: str) -> str:
    return os.path.join(cache_dir, key[:2], key + ".ast")


# A cache entry is a run of pickles: a header (the file body's range and attributes, the
# diagnostics and how many groups follow), then the top-level blocks in groups of
# _CACHE_GROUP, each its own pickle, so that loading holds one group's unpickling state at a
# time, not the whole file's (issue #14: memory).
_CACHE_GROUP = 256


def _cache_read(cache_dir: str, key: str) -> tuple | None:
    try:
        f = open(_cache_path(cache_dir, key), "rb")
    except OSError:
        return None
    try:
        with f, gc_paused():  # the cyclic GC would otherwise dominate loading many small nodes
            header = pickle.load(f)
            if not (isinstance(header, tuple) and len(header) == 5 and header[0] == _CACHE_FORMAT):
                return None
            _, groups, body_range, attributes, diags = header
            blocks: list = []
            for _ in range(groups):
                blocks.extend(pickle.load(f))
            if f.read(1):
                return None
            keep_for_the_run()  # before the collector is back on: it would walk them all
    except Exception:  # noqa: BLE001 - a corrupt or short entry is just a miss
        return None
    return syn.Body(attributes=attributes, blocks=blocks, range=body_range), diags


def _cache_write(cache_dir: str, key: str, value: tuple) -> bool:
    """Store an entry; whether it was stored (caching is an optimisation only)."""
    body, diags = value
    blocks = body.blocks
    groups = [blocks[i:i + _CACHE_GROUP] for i in range(0, len(blocks), _CACHE_GROUP)]
    path = _cache_path(cache_dir, key)
    try:
        private_dirs(os.path.dirname(path))
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")  # 0600
        try:
            with os.fdopen(fd, "wb") as f:
                header = (_CACHE_FORMAT, len(groups), body.range, body.attributes, diags)
                pickle.dump(header, f, protocol=pickle.HIGHEST_PROTOCOL)
                for group in groups:
                    pickle.dump(group, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):  # no half-written entry left behind
                os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        return False
    return True


# ---------------------------------------------------------------------------------------
# Positions


class LineIndex:
    """Character offset -> Pos(line, column (1-based characters), byte offset)."""

    def __init__(self, source: str):
        self.source = source
        self.starts = [0]
        find = source.find
        i = find("\n")
        while i >= 0:
            self.starts.append(i + 1)
            i = find("\n", i + 1)
        self.ascii = source.isascii()
        self._byte_starts: list[int] | None = None
        self._memo: dict[int, Pos] = {}  # shared Pos objects keep trees and caches small

    def pos(self, offset: int) -> Pos:
        p = self._memo.get(offset)  # the common case first: a position seen before
        if p is None:
            offset = max(0, min(offset, len(self.source)))
            p = self._memo.get(offset)
            if p is None:
                p = self._memo[offset] = self._pos(offset)
        return p

    def _pos(self, offset: int) -> Pos:
        line = bisect.bisect_right(self.starts, offset)
        start = self.starts[line - 1]
        if self.ascii:
            byte = offset
        else:
            if self._byte_starts is None:
                bs, total, prev = [], 0, 0
                for s in self.starts:
                    total += len(self.source[prev:s].encode("utf-8", "surrogatepass"))
                    bs.append(total)
                    prev = s
                self._byte_starts = bs
            byte = self._byte_starts[line - 1] + len(
                self.source[start:offset].encode("utf-8", "surrogatepass"))
        return Pos(line, offset - start + 1, byte)
