import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH, workflowSource } from '../../src/temporal/worker-options';

describe('the workflow code a worker runs', () => {
  const present = () => true;
  const absent = () => false;

  it('is the prebuilt bundle for compiled code', () => {
    expect(workflowSource({}, true, present)).toEqual({ workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } });
  });

  it('refuses to start without the bundle, naming the command that makes it', () => {
    expect(() => workflowSource({}, true, absent)).toThrow(
      /workflow-bundle\.js is missing: run `npm run build`/,
    );
  });

  it('bundles workflows/ at start when told, or for the sources under ts-jest', () => {
    expect(workflowSource({ WORKFLOW_BUNDLE: 'off' }, true, absent)).toEqual({
      workflowsPath: WORKFLOWS_PATH,
    });
    expect(workflowSource({}, false, absent)).toEqual({ workflowsPath: WORKFLOWS_PATH });
    expect(workflowSource({})).toEqual({ workflowsPath: WORKFLOWS_PATH });
  });
});
