"""The served cloud's accounts: who may call it, with which keys, and where each account's
own store lives.

``-credentials=FILE`` holds ``{"accounts": [{"name", "secret_id", "secret_key"}, ...]}``.
Without it, one account is made on the first start and its keys are written (0600) to
``<data>/credentials.json``; later starts read them back. Each account's objects live in
``<data>/accounts/<name>/cloud.db``, so one account never sees another's.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.private_files import private_dirs, write_private

GENERATED_FILE = "credentials.json"
DEFAULT_ACCOUNT = "default"
_ALNUM = string.ascii_letters + string.digits


class AccountsError(Exception):
    """A credentials file that cannot be used; the message names the file and the fault."""


class Account(BaseModel):
    """One account of the served cloud."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    secret_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")
    secret_key: str = Field(min_length=1, max_length=256, repr=False)


class Accounts(BaseModel):
    """The document of a credentials file."""

    model_config = ConfigDict(extra="forbid")
    accounts: list[Account] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "Accounts":
        for attr in ("name", "secret_id"):
            seen: set[str] = set()
            for a in self.accounts:
                value = getattr(a, attr)
                if value in seen:
                    raise ValueError(f"two accounts share the {attr} {value!r}"
                                     if attr == "name" else "two accounts share a secret_id")
                seen.add(value)
        return self

    def by_secret_id(self) -> dict[str, Account]:
        return {a.secret_id: a for a in self.accounts}


def load_accounts(path: str | os.PathLike) -> Accounts:
    """The accounts of a credentials file; AccountsError when it cannot be read or is not
    the expected document (the message never quotes a key)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise AccountsError(f"cannot read the credentials file {path}: {err.strerror}") from None
    try:
        doc = json.loads(text)
    except ValueError as err:
        raise AccountsError(f"the credentials file {path} is not JSON: {err}") from None
    try:
        return Accounts.model_validate(doc)
    except ValidationError as err:
        faults = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'document'}: {e['msg']}"
                           for e in err.errors(include_input=False))
        raise AccountsError(f"the credentials file {path} is not "
                            '{"accounts": [{"name", "secret_id", "secret_key"}, ...]}: '
                            f"{faults}") from None


def new_account(name: str = DEFAULT_ACCOUNT) -> Account:
    """An account with fresh random keys, shaped like the cloud's (AKID + 32 characters)."""
    return Account(name=name,
                   secret_id="AKID" + "".join(secrets.choice(_ALNUM) for _ in range(32)),
                   secret_key="".join(secrets.choice(_ALNUM) for _ in range(32)))


def generated_accounts(data_dir: str | os.PathLike) -> tuple[Accounts, bool]:
    """The accounts of ``<data_dir>/credentials.json``, made (one account, 0600) when the
    file is missing; and whether they were made just now."""
    path = Path(data_dir) / GENERATED_FILE
    if path.exists():
        return load_accounts(path), False
    private_dirs(data_dir)
    accounts = Accounts(accounts=[new_account()])
    try:
        write_private(path, json.dumps(accounts.model_dump(), indent=2) + "\n", exclusive=True)
    except FileExistsError:  # another server made it meanwhile
        return load_accounts(path), False
    return accounts, True


def account_dir(data_dir: str | os.PathLike, account: Account) -> Path:
    return Path(data_dir) / "accounts" / account.name
