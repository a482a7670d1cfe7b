"""A small LRU cache in one process's memory, bounded in items and (for bytes and text) in
bytes. Only the standard library: the chart renderer's thread imports it while the command
line loads (dashboard/launch.py), and two threads importing the same large modules at once can
each see the other's half-made module."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class LocalCache:
    """A small LRU cache for one worker process, bounded in items (and bytes, for bytes)."""

    def __init__(self, max_items: int, max_bytes: int) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._bytes = 0
        self.max_items = max_items
        self.max_bytes = max_bytes

    @staticmethod
    def _size(value: Any) -> int:
        return len(value) if isinstance(value, bytes | str) else 0

    def get(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True, self._items[key]
        return False, None

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            if key in self._items:
                self._bytes -= self._size(self._items.pop(key))
            self._items[key] = value
            self._bytes += self._size(value)
            while self._items and (len(self._items) > self.max_items
                                   or self._bytes > self.max_bytes):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= self._size(dropped)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
