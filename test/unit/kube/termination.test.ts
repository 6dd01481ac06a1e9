import { expect } from 'chai';
import { readTerminationJson, TerminationMessageError } from '../../../src/kube/termination.js';
import type { Pod } from '../../../src/kube/objects.js';

type ContainerState = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

function podWith(...statuses: Partial<ContainerState>[]): Pod {
  return {
    metadata: { name: 'p', namespace: 'aic-x' },
    status: {
      containerStatuses: statuses.map((s) => ({
        name: 'probe',
        image: 'i',
        imageID: '',
        ready: false,
        restartCount: 0,
        ...s,
      })),
    },
  };
}

const terminated = (message?: string): Partial<ContainerState> => ({
  state: { terminated: { exitCode: 0, reason: 'Completed', ...(message === undefined ? {} : { message }) } },
});

describe('kube/termination readTerminationJson', () => {
  it('parses the JSON object in the termination message', () => {
    expect(readTerminationJson(podWith(terminated('{"devices":["/dev/nvidia0"],"ok":true}')), 'probe')).to.deep.equal({
      devices: ['/dev/nvidia0'],
      ok: true,
    });
  });

  it('takes the last non-empty JSON line when the container wrote several lines', () => {
    const message = 'starting\n{"step":1}\nsome log\n{"step":2}\n\n  \n';
    expect(readTerminationJson(podWith(terminated(message)), 'probe')).to.deep.equal({ step: 2 });
  });

  it('falls back to the previous run (lastState) while the container restarts', () => {
    const p = podWith({ state: { running: {} }, lastState: { terminated: { exitCode: 0, message: '{"a":1}' } } });
    expect(readTerminationJson(p, 'probe')).to.deep.equal({ a: 1 });
  });

  it('says when the container has not terminated', () => {
    expect(() =>
      readTerminationJson(podWith({ state: { waiting: { reason: 'ContainerCreating' } } }), 'probe'),
    ).to.throw(
      TerminationMessageError,
      'container probe in pod aic-x/p has not terminated yet (waiting (ContainerCreating))',
    );
  });

  it('says when there is no message', () => {
    expect(() => readTerminationJson(podWith(terminated()), 'probe')).to.throw(
      TerminationMessageError,
      'container probe in pod aic-x/p terminated (Completed, exit 0) without a termination message',
    );
  });

  it('says when no line is a JSON object', () => {
    expect(() => readTerminationJson(podWith(terminated('hello\n[1,2]\n')), 'probe')).to.throw(
      TerminationMessageError,
      'has no JSON object line: "hello\\n[1,2]\\n"',
    );
  });

  it('names the containers it knows when the one asked for has no status', () => {
    expect(() => readTerminationJson(podWith(terminated('{}')), 'other')).to.throw(
      TerminationMessageError,
      'pod aic-x/p has no status for container other (containers with status: probe)',
    );
    expect(() => readTerminationJson({ metadata: { name: 'p' } }, 'x')).to.throw('containers with status: none yet');
  });
});
