import { SpanKind, startSpan, traceparentOf, tracingExported } from './tracing';

describe('tracing without an OTLP endpoint', () => {
  const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('records nothing but still makes ids: a hop continues the caller’s trace and sampling decision from a span id of its own', () => {
    const span = startSpan('GET /x', { kind: SpanKind.SERVER, parent });
    expect(tracingExported()).toBe(false);
    expect(span.isRecording()).toBe(false);
    const own = traceparentOf(span)!;
    expect(own).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(own).not.toContain('00f067aa0ba902b7');
    // A caller that did not sample is not sampled further down either.
    const unsampled = startSpan('GET /x', { kind: SpanKind.SERVER, parent: parent.replace(/-01$/, '-00') });
    expect(traceparentOf(unsampled)).toMatch(/-00$/);
  });

  it('starts a trace when there is no parent, or the given one is malformed', () => {
    for (const given of [undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01']) {
      const traceparent = traceparentOf(startSpan('POST /y', { kind: SpanKind.SERVER, parent: given }))!;
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      expect(traceparent.slice(3, 35)).not.toBe('0'.repeat(32));
    }
  });

  it('parents a child on a span of this process', () => {
    const request = startSpan('POST /z', { kind: SpanKind.SERVER });
    const call = startSpan('POST payment', { kind: SpanKind.CLIENT, parent: request });
    expect(call.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(call.spanContext().spanId).not.toBe(request.spanContext().spanId);
  });
});
