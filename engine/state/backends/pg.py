"""The pg state backend: state in PostgreSQL, in Terraform's layout, so Terraform and vpnform
can share one state.

Layout in schema ``schema_name`` (default ``terraform_remote_state``), as Terraform's pg
backend creates it::

    public.global_states_id_seq                       ids, unique across schemas
    <schema>.states (id bigint PK, name text UNIQUE, data text)   one row per workspace
    <schema>.states_by_name                           unique index on name

plus two tables of vpnform's own, which Terraform ignores::

    <schema>.locks   (name text PK, key bigint, info text, taken timestamptz)
                                                      the holder's advisory key and LockInfo
    <schema>.journal (seq bigserial, name, lineage, serial, entry text)   the apply journal

Locking is Terraform's: session advisory locks ``pg_try_advisory_lock(states.id)`` and
``pg_try_advisory_lock(-1)`` (the creation lock) taken in one query on a connection kept
open for the lock's life; an existing workspace keeps its row lock and releases -1, a new
one keeps -1. A killed holder's session ends, and PostgreSQL frees its locks. Terraform
stores no holder info; vpnform writes a ``locks`` row when it takes the lock and deletes it
on unlock. A row is only read when its key's advisory lock is found taken; a row a killed
holder left is replaced by the next holder's.

Journal: as in the local backend, each row counts only while its (lineage, serial) match
the snapshot's; a snapshot write and the journal reset happen in one transaction.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
import uuid

from .. import codec
from ..model import State
from ..workspaces import DEFAULT_WORKSPACE
from .base import (JournalEntry, LockError, LockInfo, StateError, check_force_unlock,
                   fold_due, fold_threshold, next_serial, settle_journal_end)

DEFAULT_SCHEMA = "terraform_remote_state"
CREATION_LOCK_KEY = -1
DEFAULT_FOLD_MIN = 1000
CONNECT_TIMEOUT = 10


def _sql():
    from psycopg import sql  # imported lazily: only the pg backend needs psycopg

    return sql


# The row's text <-> data steps, each in one place, so a layer that encrypts stored state
# (codec hooks) has one spot to wrap per step.

def _stored_v4(text: str, where: str) -> dict:
    """The v4 dict in a ``states.data`` value (decrypted when state encryption is on;
    validated by the caller)."""
    try:
        return codec.loads_v4(text.encode("utf-8"), where)
    except ValueError:
        raise StateError(f"{where} is not valid JSON; refusing to overwrite it.") from None


def _v4_text(data: dict) -> str:
    return codec.dumps_v4(data).decode("utf-8")


def _entry_text(entry: JournalEntry) -> str:
    """A journal row's text (encrypted when state encryption is on)."""
    return codec.journal_line(codec.encode_journal_entry(entry)).decode("utf-8").rstrip("\n")


def _text_entry(text: str) -> JournalEntry:
    return codec.decode_journal_entry(
        codec.read_journal_line(text.encode("utf-8"), "the pg state's journal"))


def conn_str_without_password(conn_str: str) -> str:
    """``conn_str`` with any password left out (keyword=value form), for what vpnform
    records; StateError, echoing nothing of it, when libpq cannot parse it."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(conn_str)
    except Exception:  # psycopg.ProgrammingError; its message quotes the string
        raise StateError('"conn_str" is not a PostgreSQL connection string: give '
                         "keyword=value pairs or a postgres:// URI.") from None
    params.pop("password", None)
    return make_conninfo(**params)


def _has_password(conn_str: str) -> bool:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return bool(conninfo_to_dict(conn_str).get("password"))
    except Exception:  # unparseable: it cannot have reached the server
        return False


def scrub(message: str, conn_str: str) -> str:
    """A driver message with the connection string and its password replaced by ``***``;
    when libpq cannot parse the string, any quoted piece of it too (libpq quotes the
    offending part of a bad string, which may be the password)."""
    from psycopg.conninfo import conninfo_to_dict

    secrets = {conn_str}
    try:
        secrets.add(str(conninfo_to_dict(conn_str).get("password") or ""))
    except Exception:  # unparseable: hide whatever of it the message quotes
        secrets.update(q for q in re.findall(r'"([^"]+)"', message) if q in conn_str)
    for secret in sorted((x for x in secrets if x), key=len, reverse=True):
        message = message.replace(secret, "***")
    return message


def _bool_env(environ: dict, name: str) -> bool:
    return environ.get(name, "").strip().lower() in ("1", "true", "yes")


@dataclasses.dataclass(frozen=True)
class PgSettings:
    """The backend block's arguments, with Terraform's environment defaults applied."""

    conn_str: str
    schema_name: str = DEFAULT_SCHEMA
    skip_schema_creation: bool = False
    skip_table_creation: bool = False
    skip_index_creation: bool = False

    @classmethod
    def from_arguments(cls, args: dict, environ: dict | None = None) -> "PgSettings":
        env = os.environ if environ is None else environ
        conn_str = args.get("conn_str") or env.get("PG_CONN_STR", "")
        if not conn_str:
            raise StateError('The "pg" backend needs "conn_str" (or the PG_CONN_STR '
                             "environment variable): the PostgreSQL connection string.")
        schema = args.get("schema_name") or env.get("PG_SCHEMA_NAME") or DEFAULT_SCHEMA

        def flag(name: str) -> bool:
            value = args.get(name)
            return bool(value) if value is not None else _bool_env(env, "PG_" + name.upper())

        return cls(str(conn_str), str(schema), flag("skip_schema_creation"),
                   flag("skip_table_creation"), flag("skip_index_creation"))


class PgBackend:
    """State of one workspace in PostgreSQL. Serial and lineage policy as ``LocalBackend``:
    another lineage or a lower serial is refused (the row is left intact); the serial
    written is ``max(state.serial, stored serial + 1)``; identical content is not rewritten.

    Connections: the lock's own (open while locked), the journal's (open during an apply),
    and a short one per other operation; ``close`` ends any left open.
    """

    def __init__(self, settings: PgSettings, workspace: str = DEFAULT_WORKSPACE, *,
                 journal_fold_min: int = DEFAULT_FOLD_MIN):
        self.settings = settings
        self.workspace = workspace
        self.journal_fold_min = journal_fold_min
        self.path = f"pg: {settings.schema_name}.states, workspace {workspace!r}"
        self._prepared = False
        self._lock_conn = None
        self._lock_id: str | None = None
        self._lock_key: int | None = None
        self._journal_conn = None
        self._record_lock = threading.Lock()  # apply workers record at once; one connection
        self._journal_state: State | None = None
        self._journal_begin_serial = 0
        self._since_fold = 0
        self._fold_at = journal_fold_min

    # --- connections and schema -----------------------------------------------------------

    def _connect(self, autocommit: bool = False):
        import psycopg

        kwargs = {} if "connect_timeout" in self.settings.conn_str else {
            "connect_timeout": CONNECT_TIMEOUT}
        try:
            conn = psycopg.connect(self.settings.conn_str, autocommit=autocommit, **kwargs)
        except psycopg.Error as exc:
            hint = ""
            if "password" in str(exc) and not _has_password(self.settings.conn_str):
                hint = ("\nvpnform never records a password given to init: give it through "
                        "PGPASSWORD or ~/.pgpass, or the whole connection string through "
                        "PG_CONN_STR.")
            raise StateError(f"Failed to connect to the pg backend's database: "
                             f"{self._scrub(exc)}{hint}") from None
        if not self._prepared:
            try:
                self._prepare(conn)
            except BaseException:
                conn.close()
                raise
        return conn

    def _scrub(self, exc: Exception) -> str:
        return scrub(str(exc).strip(), self.settings.conn_str)

    def _t(self, table: str):
        sql = _sql()
        return sql.Identifier(self.settings.schema_name, table)

    def _prepare(self, conn) -> None:
        """Create the schema, sequence, tables and index unless told to skip them, as
        Terraform's backend does on configure."""
        import psycopg

        sql = _sql()
        s = self.settings
        schema = sql.Identifier(s.schema_name)
        try:
            with conn.transaction():
                if not s.skip_schema_creation:
                    exists = conn.execute("SELECT count(1) FROM information_schema.schemata "
                                          "WHERE schema_name = %s", (s.schema_name,)).fetchone()
                    if not exists[0]:
                        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
                if not s.skip_table_creation:
                    conn.execute("CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq "
                                 "AS bigint")
                    conn.execute(sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (id bigint NOT NULL DEFAULT "
                        "nextval('public.global_states_id_seq') PRIMARY KEY, "
                        "name text UNIQUE, data text)").format(self._t("states")))
                    conn.execute(sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, key bigint NOT "
                        "NULL, info text NOT NULL, taken timestamptz NOT NULL DEFAULT now())")
                        .format(self._t("locks")))
                    conn.execute(sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (seq bigserial PRIMARY KEY, name text "
                        "NOT NULL, lineage text NOT NULL, serial bigint NOT NULL, "
                        "entry text NOT NULL)").format(self._t("journal")))
                if not s.skip_index_creation:
                    conn.execute(sql.SQL("CREATE UNIQUE INDEX IF NOT EXISTS states_by_name "
                                         "ON {} (name)").format(self._t("states")))
        except psycopg.errors.UniqueViolation:
            # Two first runs raced on CREATE … IF NOT EXISTS; the other one made them.
            pass
        except psycopg.Error as exc:
            raise StateError(f"Failed to prepare the pg backend's schema "
                             f"{s.schema_name!r}: {self._scrub(exc)}") from None
        self._prepared = True

    def close(self) -> None:
        """Close every connection still open (a held lock is released with its session)."""
        for attr in ("_journal_conn", "_lock_conn"):
            conn = getattr(self, attr)
            setattr(self, attr, None)
            if conn is not None:
                conn.close()
        self._lock_id = self._lock_key = None

    def _run(self, fn):
        """Run ``fn(conn)`` in one transaction on a short connection; map driver errors."""
        import psycopg

        conn = self._connect()
        try:
            with conn.transaction():
                return fn(conn)
        except psycopg.Error as exc:
            raise StateError(f"pg backend: {self._scrub(exc)}") from None
        finally:
            conn.close()

    # --- locking --------------------------------------------------------------------------

    def lock(self, info: LockInfo) -> str:
        import psycopg

        if self._lock_conn is not None:
            raise LockError(None, "Error acquiring the state lock: this backend already holds "
                                  f"it (lock ID {self._lock_id}). This is a bug in the caller.")
        if not info.id:
            info = dataclasses.replace(info, id=str(uuid.uuid4()))
        if not info.path:
            info = dataclasses.replace(info, path=self.path)
        sql = _sql()
        conn = self._connect(autocommit=True)
        try:
            row = conn.execute(sql.SQL(
                "SELECT id, pg_try_advisory_lock(id), pg_try_advisory_lock(-1) FROM {} "
                "WHERE name = %s").format(self._t("states")), (self.workspace,)).fetchone()
            if row is None:  # a new workspace: hold the creation lock
                if not conn.execute("SELECT pg_try_advisory_lock(-1)").fetchone()[0]:
                    raise LockError(self._holder_info(conn, CREATION_LOCK_KEY))
                key = CREATION_LOCK_KEY
            else:
                key, got_row, got_create = row
                if not got_row:
                    if got_create:
                        conn.execute("SELECT pg_advisory_unlock(-1)")
                    raise LockError(self._holder_info(conn, key))
                if not got_create:  # a workspace is being created: not safe to go on
                    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
                    raise LockError(self._holder_info(conn, CREATION_LOCK_KEY))
                conn.execute("SELECT pg_advisory_unlock(-1)")
            self._write_lock_info(conn, key, info)
        except psycopg.Error as exc:
            conn.close()
            raise StateError(f"Error acquiring the state lock: {self._scrub(exc)}") from None
        except BaseException:
            conn.close()
            raise
        self._lock_conn, self._lock_id, self._lock_key = conn, info.id, key
        return info.id

    def _write_lock_info(self, conn, key: int, info: LockInfo) -> None:
        import psycopg

        sql = _sql()
        try:
            # Any row already there is a dead holder's: we hold the advisory lock now.
            conn.execute(sql.SQL("INSERT INTO {} (name, key, info) VALUES (%s, %s, %s) ON "
                                 "CONFLICT (name) DO UPDATE SET key = EXCLUDED.key, "
                                 "info = EXCLUDED.info, taken = now()")
                         .format(self._t("locks")),
                         (self.workspace, key, json.dumps(info.to_json())))
        except psycopg.errors.UndefinedTable:
            pass  # skip_table_creation and no locks table: the lock still works, unnamed

    def _read_lock_info(self, conn, key: int | None = None) -> LockInfo | None:
        """This workspace's lock record; with ``key``, the newest record of whoever holds
        that advisory key (the creation lock's holder may be creating another workspace)."""
        import psycopg

        sql = _sql()
        try:
            if key is None:
                row = conn.execute(sql.SQL("SELECT info FROM {} WHERE name = %s")
                                   .format(self._t("locks")), (self.workspace,)).fetchone()
            else:
                row = conn.execute(sql.SQL("SELECT info FROM {} WHERE key = %s ORDER BY taken "
                                           "DESC LIMIT 1").format(self._t("locks")),
                                   (key,)).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
        if row is None:
            return None
        try:
            return LockInfo.from_json(json.loads(row[0]))
        except (ValueError, StateError):
            return None

    def _holder_info(self, conn, key: int) -> LockInfo | None:
        """Who holds advisory ``key`` (found taken just now), if a record names them."""
        return self._read_lock_info(conn, key)

    def unlock(self, lock_id: str) -> None:
        if self._lock_conn is None:
            raise LockError(None, "Error releasing the state lock: this process does not hold "
                                  f"the lock on {self.path}.")
        if lock_id != self._lock_id:
            raise LockError(None, f"Error releasing the state lock: lock ID {lock_id!r} does "
                                  f"not match the held lock ID {self._lock_id!r}.")
        conn = self._lock_conn
        try:
            self._delete_lock_info(conn)
            conn.execute("SELECT pg_advisory_unlock(%s)", (self._lock_key,))
        finally:
            self._lock_conn = self._lock_id = self._lock_key = None
            conn.close()  # ending the session frees any advisory lock left

    def _delete_lock_info(self, conn) -> None:
        import psycopg

        sql = _sql()
        try:
            conn.execute(sql.SQL("DELETE FROM {} WHERE name = %s").format(self._t("locks")),
                         (self.workspace,))
        except psycopg.errors.UndefinedTable:
            pass

    def force_unlock(self, lock_id: str) -> None:
        """Remove a lock record left behind, if ``lock_id`` matches it. A live holder's
        advisory lock cannot be taken from another session: that is refused."""
        if self._lock_conn is not None and self._lock_id == lock_id:
            self.unlock(lock_id)
            return
        conn = self._connect(autocommit=True)
        try:
            holder = check_force_unlock(self._read_lock_info(conn), lock_id,
                                        f"for {self.path}")
            try:
                self.lock(LockInfo(operation="force-unlock"))
            except LockError:
                raise LockError(holder, "Failed to unlock state: the lock is held by a "
                                        "process that is still running; stop that process, "
                                        "and its lock is released.\n"
                                        + holder.describe()) from None
            self.unlock(self._lock_id)
        finally:
            conn.close()

    # --- snapshots ------------------------------------------------------------------------

    def read(self) -> State | None:
        """The stored snapshot with its journal replayed on top; None when no state yet."""
        def q(conn):
            sql = _sql()
            row = conn.execute(sql.SQL("SELECT data FROM {} WHERE name = %s")
                               .format(self._t("states")), (self.workspace,)).fetchone()
            if row is None or not (row[0] or "").strip():
                return None, []
            state = codec.loads_state(row[0], f"the pg state of workspace {self.workspace!r}")
            entries = conn.execute(sql.SQL(
                "SELECT seq, entry FROM {} WHERE name = %s AND lineage = %s AND serial = %s "
                "ORDER BY seq").format(self._t("journal")),
                (self.workspace, state.lineage, state.serial)).fetchall()
            return state, entries
        state, entries = self._run(q)
        if state is None:
            return None
        for seq, text in entries:
            try:
                entry = _text_entry(text)
            except (ValueError, StateError) as exc:
                raise StateError(f"The pg journal row {seq} of workspace {self.workspace!r} "
                                 f"is corrupt ({exc}). Repair or delete it, then re-run.") from None
            codec.apply_journal_entry(state, entry)
        return state

    def write(self, state: State, force: bool = False) -> None:
        """Persist a full snapshot (serial policy in the class docstring; ``force`` skips
        its lineage and serial checks)."""
        if self._journal_conn is not None:
            self._snapshot(self._journal_conn, state, reset_journal=True, force=force)
            self._journal_state = state.deepcopy()
            self._restart_fold()
            return
        self._run(lambda conn: self._snapshot(conn, state, reset_journal=True, in_tx=True,
                                              force=force))

    def _snapshot(self, conn, state: State, reset_journal: bool, in_tx: bool = False,
                  force: bool = False) -> None:
        """Check and write ``state`` in one transaction; when it is written, the journal
        restarts on it (keeping creates still in flight)."""
        if not in_tx:
            import psycopg

            try:
                with conn.transaction():
                    self._snapshot(conn, state, reset_journal, in_tx=True, force=force)
            except psycopg.Error as exc:
                raise StateError(f"pg backend: {self._scrub(exc)}") from None
            return
        sql = _sql()
        row = conn.execute(sql.SQL("SELECT data FROM {} WHERE name = %s FOR UPDATE")
                           .format(self._t("states")), (self.workspace,)).fetchone()
        new = codec.encode_state(state)
        where = f"the pg state of workspace {self.workspace!r}"
        current = None
        if row is not None and (row[0] or "").strip():
            current = _stored_v4(row[0], where)
            codec.decode_state(current, where)
        serial = next_serial(current, new, state.lineage, state.serial, where, force=force)
        if serial is None:
            return
        new["serial"] = serial
        conn.execute(sql.SQL("INSERT INTO {} (name, data) VALUES (%s, %s) ON CONFLICT (name) "
                             "DO UPDATE SET data = EXCLUDED.data").format(self._t("states")),
                     (self.workspace, _v4_text(new)))
        state.serial = serial
        if reset_journal:
            conn.execute(sql.SQL("DELETE FROM {} WHERE name = %s").format(self._t("journal")),
                         (self.workspace,))
            for pending in codec.pending_entries(state):
                self._insert_entry(conn, state, pending)

    def _insert_entry(self, conn, base: State, entry: JournalEntry) -> None:
        sql = _sql()
        conn.execute(sql.SQL("INSERT INTO {} (name, lineage, serial, entry) VALUES "
                             "(%s, %s, %s, %s)").format(self._t("journal")),
                     (self.workspace, base.lineage, base.serial, _entry_text(entry)))

    # --- journal --------------------------------------------------------------------------

    def begin_journal(self, state: State) -> None:
        if self._journal_conn is not None:
            raise StateError("begin_journal called while a journal is already open")
        self._journal_begin_serial = state.serial
        conn = self._connect(autocommit=True)
        try:
            self._snapshot(conn, state, reset_journal=True)
        except BaseException:
            conn.close()
            raise
        self._journal_conn = conn
        self._journal_state = state.deepcopy()
        self._restart_fold()

    def _restart_fold(self) -> None:
        self._since_fold = 0
        self._fold_at = fold_threshold(self.journal_fold_min,
                                       self._journal_state.instance_count())

    def record(self, entry: JournalEntry, flush: bool = True) -> None:
        """Insert one change (autocommit: durable when this returns, whatever ``flush``
        says), O(1) in the state."""
        import psycopg

        with self._record_lock:
            if self._journal_conn is None or self._journal_state is None:
                raise StateError("record called without begin_journal")
            base_lineage, base_serial = self._journal_state.lineage, self._journal_state.serial
            codec.apply_journal_entry(self._journal_state, entry)  # validates before writing
            base = State(lineage=base_lineage, serial=base_serial)
            try:
                self._insert_entry(self._journal_conn, base, entry)
            except psycopg.Error as exc:
                raise StateError(f"pg backend: {self._scrub(exc)}") from None
            self._since_fold += 1
            due, self._fold_at = fold_due(self._since_fold, self._fold_at,
                                          self.journal_fold_min, self._journal_state)
            if due:
                self.fold()

    def fold(self) -> None:
        """Write the journal's state as a snapshot and restart the journal on it."""
        if self._journal_conn is None or self._journal_state is None:
            raise StateError("fold called without begin_journal")
        self._snapshot(self._journal_conn, self._journal_state, reset_journal=True)
        self._restart_fold()

    def end_journal(self, final: State) -> None:
        """Write ``final`` and drop the journal in one transaction. If that fails the journal
        rows stay, so a later ``read`` still recovers every recorded change."""
        conn, self._journal_conn = self._journal_conn, None
        try:
            if conn is not None and self._journal_state is not None:
                settle_journal_end(final, self._journal_state, self._journal_begin_serial)
            if conn is not None:
                self._snapshot(conn, final, reset_journal=True)
            else:
                self.write(final)
        finally:
            self._journal_state = None
            if conn is not None:
                conn.close()

    # --- workspaces -----------------------------------------------------------------------

    def workspaces(self) -> list[str]:
        """Every workspace with a state row, ``default`` first (always listed, as Terraform)."""
        def q(conn):
            sql = _sql()
            return conn.execute(sql.SQL("SELECT name FROM {} WHERE name != %s ORDER BY name")
                                .format(self._t("states")), (DEFAULT_WORKSPACE,)).fetchall()
        return [DEFAULT_WORKSPACE] + [r[0] for r in self._run(q)]

    def delete_workspace(self, name: str) -> None:
        """Delete a workspace's state row (and its journal and lock record)."""
        if name == DEFAULT_WORKSPACE:
            raise StateError("The default workspace cannot be deleted.")

        def q(conn):
            sql = _sql()
            for table in ("states", "journal", "locks"):
                conn.execute(sql.SQL("DELETE FROM {} WHERE name = %s").format(self._t(table)),
                             (name,))
        self._run(q)

    def for_workspace(self, name: str) -> "PgBackend":
        """The same database and schema, another workspace."""
        return PgBackend(self.settings, name, journal_fold_min=self.journal_fold_min)
