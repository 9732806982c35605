"""Throughput recording under the cloud-files names: TransmissionMonitor, IOSampler, IOEnum.

TransmissionMonitor records each transfer's flight time and size (CloudFiles.get/puts with
return_recording=True hand one back); IOSampler measures the whole machine's network rate.
Charts need the optional extra: pip install cloudfiles[plot].
"""
from .app.io_sampler import IOSampler
from .app.transmission_monitor import TransmissionMonitor
from .domain.transmission import IOEnum

__all__ = ["IOEnum", "IOSampler", "TransmissionMonitor"]
