"""Spans exported over OTLP/HTTP when `BP_OTLP_ENDPOINT` is set (off by default; `pip install .[otlp]`).

The trace context travels the same way with or without it (tracing.py); with it, each hop also becomes a
span: the HTTP request at a service, the publish of each event by the relay, its apply by a consumer.
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import TYPE_CHECKING, Any

from services.observability.tracing import Trace

if TYPE_CHECKING:
    from collections.abc import Iterator

ENDPOINT_VARIABLE = "BP_OTLP_ENDPOINT"  # such as http://collector:4318/v1/traces

log = logging.getLogger(__name__)


class Spans:
    """Starts spans under a parent trace and exports them, or only passes the trace on when off."""

    def __init__(self, service: str) -> None:
        self._tracer: Any = None
        self._provider: Any = None
        endpoint = os.environ.get(ENDPOINT_VARIABLE)
        if endpoint:
            self._start_exporting(service, endpoint)

    @property
    def exporting(self) -> bool:
        """Whether spans leave this process."""
        return self._tracer is not None

    def _start_exporting(self, service: str, endpoint: str) -> None:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
        except ImportError:
            log.warning(
                "%s is set but the OpenTelemetry SDK is missing: pip install '.[otlp]'", ENDPOINT_VARIABLE
            )
            return
        provider = TracerProvider(resource=Resource.create({"service.name": f"buurtpensioen-{service}"}))
        exporter = OTLPSpanExporter(endpoint=endpoint)
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=500))
        self._provider, self._tracer = provider, provider.get_tracer("buurtpensioen")
        log.info("exporting spans to %s", endpoint)

    @contextlib.contextmanager
    def span(
        self, name: str, parent: Trace | None, kind: str = "INTERNAL", **attributes: str
    ) -> Iterator[Trace]:
        """A span under `parent` (or a new trace); yields the trace context to pass on from inside it."""
        if self._tracer is None:
            yield parent.child() if parent else Trace.start()
            return
        from opentelemetry import trace
        from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

        context = None
        if parent is not None:
            remote = SpanContext(
                int(parent.trace_id, 16), int(parent.span_id, 16), is_remote=True,
                trace_flags=TraceFlags(TraceFlags.SAMPLED),
            )  # fmt: skip
            context = trace.set_span_in_context(NonRecordingSpan(remote))
        with self._tracer.start_as_current_span(
            name, context=context, kind=SpanKind[kind], attributes=attributes
        ) as span:
            own = span.get_span_context()
            yield Trace(format(own.trace_id, "032x"), format(own.span_id, "016x"))

    def shutdown(self) -> None:
        """Export what is pending (at the end of the service's lifespan)."""
        if self._provider is not None:
            self._provider.shutdown()
