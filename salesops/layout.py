"""Where a customer's records live: ``customers/<SS>/<CUSTOMER-ID>/``, ``SS`` being the
customer id's last two characters (up to 1,024 shard folders). This is the one place that
spells a customer's folder; every reader and writer asks it.

A shard folder keeps every git tree small: a commit rewrites the root, ``customers``
(at most 1,024 entries), one shard and one customer's folder, whatever the store's size.
The older flat layout (``customers/<CUSTOMER-ID>/``) is moved by ``salesops doctor --fix``.
"""

from __future__ import annotations

CUSTOMERS = "customers"
SHARD_LEN = 2


def shard(cid: str) -> str:
    """The shard folder's name of a customer id: its last two characters."""
    return cid[-SHARD_LEN:]


def customer_dir(cid: str) -> str:
    """The store-relative folder of one customer's records."""
    return f"{CUSTOMERS}/{shard(cid)}/{cid}"


def customer_file(cid: str, name: str) -> str:
    """A file in a customer's folder (``profile.yaml``, ``EV-….yaml``)."""
    return f"{customer_dir(cid)}/{name}"


def flat_dir(cid: str) -> str:
    """Where the customer's folder was in the older flat layout (its history is there)."""
    return f"{CUSTOMERS}/{cid}"


def customer_dirs(cid: str) -> tuple[str, str]:
    """Every folder the customer's records have had, newest first: their history is the
    history of both (``salesops doctor --fix`` renamed one into the other)."""
    return customer_dir(cid), flat_dir(cid)


def customer_of(rel: str) -> str | None:
    """The customer whose folder holds the store path ``rel`` (None: not a customer's, or
    a folder in a shard that is not its own, which nothing reads and check names)."""
    parts = rel.split("/")
    if len(parts) >= 3 and parts[0] == CUSTOMERS and parts[2] and parts[1] == shard(parts[2]):
        return parts[2]
    return None


def is_shard(name: str) -> bool:
    """Whether a folder name under ``customers/`` is a shard's (else: a flat customer's)."""
    return len(name) == SHARD_LEN


def flat_path(rel: str) -> str | None:
    """The sharded path of a file in the flat layout (``customers/CU-…/x.yaml``); None when
    ``rel`` is not one."""
    parts = rel.split("/")
    if len(parts) == 3 and parts[0] == CUSTOMERS and not is_shard(parts[1]) and parts[2]:
        return customer_file(parts[1], parts[2])
    return None


FLAT_MESSAGE = (
    "记录库还是旧的平铺布局（customers/客户编号/）；先运行 salesops doctor --fix 把它迁移到"
    "分片布局（customers/SS/客户编号/，一次提交，历史保留），再继续",
    "the store is still in the old flat layout (customers/CUSTOMER-ID/); run salesops doctor "
    "--fix to move it to the sharded layout (customers/SS/CUSTOMER-ID/, one commit, history "
    "kept), then go on",
)
