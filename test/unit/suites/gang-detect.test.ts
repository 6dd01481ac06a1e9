import { expect } from 'chai';
import { chooseGangScheduler, type ServedGangApis } from '../../../suites/scheduling/gang/detect.js';

const KUEUE_ONLY: ServedGangApis = { kueue: 'kueue.x-k8s.io/v1beta1' };

describe('suites/scheduling/gang/detect', () => {
  it('auto picks Kueue when its API is served', () => {
    const c = chooseGangScheduler('auto', KUEUE_ONLY);
    expect(c).to.deep.include({ id: 'kueue', apiVersion: 'kueue.x-k8s.io/v1beta1' });
    expect((c as { note: string }).note).to.equal('gangScheduler=auto: detected Kueue (kueue.x-k8s.io/v1beta1)');
  });

  it('auto prefers Kueue, then Volcano, and names the other served solutions', () => {
    const c = chooseGangScheduler('auto', {
      volcano: 'scheduling.volcano.sh/v1beta1',
      'workload-api': 'scheduling.k8s.io/v1alpha2',
    });
    expect(c).to.deep.include({ id: 'volcano', apiVersion: 'scheduling.volcano.sh/v1beta1' });
    expect((c as { note: string }).note).to.include('also served: workload-api (scheduling.k8s.io/v1alpha2)');
  });

  it('auto with nothing served skips, naming the gangScheduler parameter and what was looked for', () => {
    const c = chooseGangScheduler('auto', {});
    expect(c).to.have.property('skip');
    const reason = (c as { skip: string }).skip;
    expect(reason).to.include('no gang scheduling solution detected');
    expect(reason).to.include('set the gangScheduler parameter');
    for (const api of [
      'kueue.x-k8s.io/v1beta1',
      'scheduling.volcano.sh/v1beta1',
      'scheduling.x-k8s.io/v1alpha1',
      'scheduling.k8s.io/v1alpha2',
    ]) {
      expect(reason).to.include(api);
    }
  });

  it('none skips with a reason naming the parameter', () => {
    expect(chooseGangScheduler('none', KUEUE_ONLY)).to.deep.equal({
      skip: 'gangScheduler=none: the profile declares no gang scheduling solution (set gangScheduler to auto or to the solution to test)',
    });
  });

  it('an explicit solution whose API is not served fails, naming what is served instead', () => {
    const c = chooseGangScheduler('volcano', KUEUE_ONLY);
    expect(c).to.deep.equal({
      fail:
        "gangScheduler=volcano, but the cluster does not serve Volcano's API (scheduling.volcano.sh/v1beta1 PodGroup): Volcano is not installed; " +
        'the cluster serves kueue (kueue.x-k8s.io/v1beta1) (set gangScheduler=auto or to one of those)',
    });
  });

  it('an explicit solution on a cluster serving none fails without an alternative', () => {
    const c = chooseGangScheduler('coscheduling', {});
    expect((c as { fail: string }).fail).to.equal(
      "gangScheduler=coscheduling, but the cluster does not serve scheduler-plugins coscheduling's API (scheduling.x-k8s.io/v1alpha1 PodGroup): scheduler-plugins coscheduling is not installed",
    );
  });

  it('an explicit solution that is served is used with its served version', () => {
    expect(
      chooseGangScheduler('workload-api', { 'workload-api': 'scheduling.k8s.io/v1alpha2', ...KUEUE_ONLY }),
    ).to.deep.equal({
      id: 'workload-api',
      apiVersion: 'scheduling.k8s.io/v1alpha2',
      note: 'gangScheduler=workload-api: the Kubernetes Workload API (scheduling.k8s.io/v1alpha2)',
    });
  });
});
