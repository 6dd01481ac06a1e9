import { expect } from 'chai';
import { describeEvent, eventFieldSelector, eventSeen, eventsTarget } from '../../../src/kube/events.js';
import type { Event } from '../../../src/kube/objects.js';

function event(reason: string, message: string, lastTimestamp: string, count = 1): Event {
  return {
    metadata: { name: `p1.${reason}` },
    involvedObject: { kind: 'Pod', name: 'p1', namespace: 'aic-x' },
    reason,
    message,
    lastTimestamp,
    count,
    type: 'Warning',
  };
}

describe('kube/events', () => {
  const ref = { apiVersion: 'v1', kind: 'Pod', namespace: 'aic-x', name: 'p1' };

  it('selects events by involved object', () => {
    expect(eventFieldSelector(ref)).to.equal(
      'involvedObject.kind=Pod,involvedObject.name=p1,involvedObject.namespace=aic-x',
    );
    expect(eventFieldSelector({ ...ref, uid: 'u1' })).to.contain(',involvedObject.uid=u1');
    expect(eventsTarget(ref)).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Event',
      namespace: 'aic-x',
      fieldSelector: eventFieldSelector(ref),
    });
    expect(eventsTarget({ apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', name: 'gpu' })).to.not.have.property(
      'namespace',
    );
  });

  it('eventSeen finds a matching event and describes the latest otherwise', () => {
    const scheduled = event('Scheduled', 'assigned', '2026-01-01T00:00:02Z');
    const failed = event(
      'FailedScheduling',
      '0/6 nodes are available: 6 Insufficient nvidia.com/gpu.',
      '2026-01-01T00:00:01Z',
      3,
    );
    const c = eventSeen({ reason: 'FailedScheduling', messageIncludes: 'Insufficient' });
    expect(c.description).to.equal('to include a FailedScheduling "…Insufficient…" event');
    expect(c.test([scheduled, failed])).to.deep.equal({ done: true, value: failed });
    expect(c.test([scheduled])).to.equal(false);
    expect(c.describe([failed, scheduled])).to.equal('2 events, latest: Scheduled: assigned');
    expect(c.describe([])).to.equal('no events');
    expect(describeEvent(failed)).to.equal(
      'FailedScheduling: 0/6 nodes are available: 6 Insufficient nvidia.com/gpu. (x3)',
    );
  });
});
