"""Helpers for storage tests: checksums and a writable copy of the seed's own database."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

LEGACY_NAME = "legacy_trading_system.db"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def checksum():
    """sha256 of a file's bytes, to prove a refused operation left it unchanged."""
    return sha256


@pytest.fixture
def legacy_db(shared_dir, tmp_path) -> Path:
    """A writable copy of fixtures/legacy_trading_system.db with its -wal/-shm siblings."""
    source = shared_dir / "fixtures" / LEGACY_NAME
    for suffix in ("", "-wal", "-shm"):
        sibling = source.with_name(source.name + suffix)
        if sibling.exists():
            target = tmp_path / (LEGACY_NAME + suffix)
            shutil.copyfile(sibling, target)
    return tmp_path / LEGACY_NAME
