"""A session: the store, who is acting, and what time it is. Every process takes one.

The CLI, the demo and the tests all go through a Session, so they run the same code.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cached_property

from salesops import gitutil, resolve, timeutil
from salesops.errors import SalesopsError
from salesops.i18n import t
from salesops.models import Staff
from salesops.state import State
from salesops.store import Store, Transaction


class Session:
    def __init__(self, store: Store, actor: str | None = None, at: dt.datetime | None = None):
        self.store = store
        self._actor_query = actor
        self._at = at

    @cached_property
    def state(self) -> State:
        self.loaded_head = gitutil.read_head(self.store.gitdir)
        return self.store.state()

    def reload(self) -> State:
        self.__dict__.pop("state", None)
        return self.state

    @property
    def office(self):
        return self.store.office

    @property
    def tz(self) -> dt.tzinfo:
        return self.store.tz

    @cached_property
    def now(self) -> dt.datetime:
        """The time the facts of this command happened: ``--at``, or now (fixed per session)."""
        return self._at if self._at is not None else timeutil.now(self.tz)

    def advance(self, at: dt.datetime | None = None) -> None:
        """Move the session's clock (for a long-running caller such as the demo)."""
        self._at = at
        self.__dict__.pop("now", None)

    @property
    def clock(self) -> dt.datetime:
        """The real present, whatever ``--at`` says (for "overdue", "in the past")."""
        return timeutil.now(self.tz)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def actor_query(self) -> str | None:
        if self._actor_query:
            return self._actor_query
        env = os.environ.get("SALESOPS_STAFF")
        if env:
            return env
        proc = gitutil.run(self.store.repo, "config", "--get", "salesops.staff", check=False)
        return proc.stdout.strip() or None

    @cached_property
    def actor(self) -> Staff:
        query = self.actor_query()
        if not query:
            raise SalesopsError(
                t(
                    "不知道您是谁：用 --as 员工、设置 SALESOPS_STAFF，或运行 salesops whoami --set 员工",
                    "who are you? pass --as STAFF, set SALESOPS_STAFF, or run salesops whoami --set STAFF",
                )
            )
        return resolve.staff(self.state, query)

    def require_role(self, *roles: str) -> Staff:
        actor = self.actor
        if actor.role not in roles:
            from salesops.models.staff import ROLE_NAMES

            names = t("、", " or ").join(ROLE_NAMES[r][1 if _en() else 0] for r in roles)
            raise SalesopsError(t("只有{r}可以这样做", "only a {r} may do this", r=names))
        return actor

    def write(self, action: str, actor: Staff | None = None) -> Transaction:
        tx = Transaction(self.store, actor or self.actor, action)
        tx.base_head = getattr(self, "loaded_head", None)
        return tx

    def commit(self, tx: Transaction) -> None:
        from salesops.processes.customers import guard_phones

        guard_phones(tx)
        tx.commit()
        self.reload()


def _en() -> bool:
    from salesops.i18n import en

    return en()
