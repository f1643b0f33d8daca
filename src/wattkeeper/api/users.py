"""Users and roles, kept in the data directory with hashed passwords only."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from wattkeeper.api.passwords import hash_password, verify_password
from wattkeeper.config.overrides import StorageError, write_atomically
from wattkeeper.core.errors import ConfigError

log = logging.getLogger(__name__)


class Role(IntEnum):
    GUEST = 1
    OWNER = 2
    INSTALLER = 3
    ADMIN = 4

    @property
    def wire(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name.upper()]
        except KeyError:
            raise ConfigError(f"unknown role '{name}' (admin, installer, owner, guest)") from None


class PasswordTaken(ConfigError):
    """Another user has this password; which one is never said (the password selects the user)."""


DEFAULT_PASSWORDS = {"admin": "admin", "installer": "installer", "owner": "owner", "guest": "user"}


@dataclass
class User:
    name: str
    role: Role
    password_hash: str
    default_password: bool = False


class UserStore:
    """`users.json`: one user per role by default, named after the role."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "users.json"
        self.users: dict[str, User] = {}
        self._load()
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int]:
        try:
            stat = self.path.stat()
        except OSError:
            return (0, 0)
        return (stat.st_mtime_ns, stat.st_size)

    def reload_if_changed(self) -> bool:
        """Pick up changes made by `wattkeeper passwd` while the edge runs."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        users = self.users
        self.users = {}
        try:
            self._load()
        except ConfigError:
            self.users = users  # a half-written or damaged file: keep what we had
            log.exception("users.json could not be reloaded")
            return False
        self._stamp = stamp
        log.info("users.json changed: reloaded")
        return True

    def _load(self) -> None:
        if not self.path.exists():
            for name, password in DEFAULT_PASSWORDS.items():
                self.users[name] = User(name, Role.parse(name), hash_password(password), True)
            try:
                self._save()
            except StorageError as error:
                # a read-only data directory: the edge runs with the defaults in memory
                log.error("%s", error)
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            for item in raw["users"]:
                user = User(
                    item["name"],
                    Role.parse(item["role"]),
                    item["passwordHash"],
                    bool(item.get("defaultPassword", False)),
                )
                self.users[user.name] = user
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"{self.path} is damaged: {error}") from None

    def _save(self) -> None:
        data = {
            "users": [
                {
                    "name": u.name,
                    "role": u.role.wire,
                    "passwordHash": u.password_hash,
                    "defaultPassword": u.default_password,
                }
                for u in self.users.values()
            ]
        }
        write_atomically(self.path, json.dumps(data, indent=2))
        self._stamp = self._file_stamp()

    def by_role(self) -> list[User]:
        """Highest role first: the order in which a bare password is matched."""
        return sorted(self.users.values(), key=lambda u: -u.role)

    def set_password(self, name: str, password: str) -> None:
        if name not in self.users:
            raise ConfigError(f"unknown user '{name}' (known: {', '.join(self.users)})")
        if len(password) < 4:
            raise ConfigError("a password needs at least 4 characters")
        clash = [
            u.name
            for u in self.users.values()
            if u.name != name and verify_password(password, u.password_hash)
        ]
        if clash:
            # the password alone selects the user, so two users may not share one; naming the
            # other user would tell the caller whose password it just guessed
            raise PasswordTaken("that password cannot be used: choose another one")
        user = self.users[name]
        before = (user.password_hash, user.default_password)
        user.password_hash = hash_password(password)
        # setting a well-known password again is not a change of password
        user.default_password = password == DEFAULT_PASSWORDS.get(user.role.wire)
        try:
            self._save()
        except StorageError:
            user.password_hash, user.default_password = before  # saved or not changed at all
            raise
        log.info("password of user '%s' changed", name)

    def defaults_in_use(self) -> list[str]:
        return [u.name for u in self.users.values() if u.default_password]
