"""The service registry: who runs where, and whether they are still alive.

Every process that serves a part of the system (the in-process services of
`serve`/`schedule`, or a single service of a split deployment) registers in
`service_coordination` with host, port and status and heartbeats while it lives.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update

from tradecycle.adapters.store import schema as s
from tradecycle.core.types import ServiceStatus


@dataclass(frozen=True)
class ServiceInfo:
    service_name: str
    host: str
    port: int
    status: str
    last_heartbeat: datetime | None
    start_time: datetime | None
    metadata: dict

    def is_stale(self, now: datetime, heartbeat_seconds: float, multiple: float) -> bool:
        if self.last_heartbeat is None:
            return True
        return now - self.last_heartbeat > timedelta(seconds=heartbeat_seconds * multiple)


def register(
    conn: Connection,
    name: str,
    now: datetime,
    host: str | None = None,
    port: int = 0,
    metadata: dict | None = None,
) -> ServiceInfo:
    """Insert or refresh a service's row as running, starting now."""
    table = s.service_coordination
    values = {
        "host": host or socket.gethostname(),
        "port": port,
        "status": ServiceStatus.RUNNING.value,
        "last_heartbeat": now,
        "start_time": now,
        "metadata": json.dumps(metadata or {}, sort_keys=True),
    }
    found = conn.execute(update(table).where(table.c.service_name == name).values(**values)).rowcount
    if not found:
        conn.execute(table.insert().values(service_name=name, **values))
    return ServiceInfo(name, values["host"], port, values["status"], now, now, metadata or {})


def heartbeat(conn: Connection, name: str, now: datetime) -> bool:
    """Record that `name` is alive; False if it is not registered."""
    table = s.service_coordination
    return bool(
        conn.execute(
            update(table)
            .where(table.c.service_name == name)
            .values(last_heartbeat=now, status=ServiceStatus.RUNNING.value)
        ).rowcount
    )


def deregister(conn: Connection, name: str, now: datetime) -> None:
    """A clean shutdown: the row stays, as stopped, for the history of the system page."""
    table = s.service_coordination
    conn.execute(
        update(table)
        .where(table.c.service_name == name)
        .values(status=ServiceStatus.STOPPED.value, last_heartbeat=now)
    )


def services(conn: Connection) -> list[ServiceInfo]:
    rows = conn.execute(
        select(s.service_coordination).order_by(s.service_coordination.c.service_name)
    ).mappings()
    return [
        ServiceInfo(
            service_name=row["service_name"],
            host=row["host"],
            port=int(row["port"]),
            status=row["status"],
            last_heartbeat=row["last_heartbeat"],
            start_time=row["start_time"],
            metadata=_load(row["metadata"]),
        )
        for row in rows
    ]


def _load(raw: str | None) -> dict:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {"raw": raw}
    return value if isinstance(value, dict) else {"value": value}
