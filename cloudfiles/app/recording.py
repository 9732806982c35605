"""Recording a batch's transfers on a TransmissionMonitor (get/puts `return_recording=True`)."""
from __future__ import annotations

import threading
from typing import Any

from .transmission_monitor import TransmissionMonitor


class Recorder:
    """Times each item of a batch, from when its request is made to when its answer is back,
    on `monitor` (None records nothing, at no cost)."""

    def __init__(self, monitor: TransmissionMonitor | None = None):
        self.monitor = monitor
        self._flights: dict[int, Any] = {}
        self._lock = threading.Lock()

    def started(self, item: Any) -> None:
        """item's request is being made."""
        if self.monitor is None:
            return
        flight = self.monitor.start_io(0)
        with self._lock:
            self._flights[id(item)] = flight

    def finished(self, item: Any, num_bytes: int, failed: bool = False) -> None:
        """item's answer is back: num_bytes moved (as stored), or it failed."""
        if self.monitor is None:
            return
        with self._lock:
            flight = self._flights.pop(id(item), None)
        if flight is None:
            return
        if failed:
            self.monitor.end_error(flight)
        self.monitor.end_io(flight, num_bytes)


NOT_RECORDING = Recorder()
