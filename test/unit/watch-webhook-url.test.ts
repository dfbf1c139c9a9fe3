import { describe, expect, it } from 'vitest';
import { webhookUrl } from '../../src/cli/watch.js';
import { describeUrl } from '../../src/watch/notify.js';

const SLACK = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';

describe('the watch webhook URL', () => {
  it('comes from DSS_GITOPS_WEBHOOK_URL, the flag winning', () => {
    expect(webhookUrl({}, { DSS_GITOPS_WEBHOOK_URL: SLACK })).toBe(SLACK);
    expect(webhookUrl({ webhook: 'https://other.example/h' }, { DSS_GITOPS_WEBHOOK_URL: SLACK })).toBe('https://other.example/h');
    expect(webhookUrl({}, { DSS_GITOPS_WEBHOOK_URL: '' })).toBeUndefined();
    expect(webhookUrl({}, {})).toBeUndefined();
  });

  it('is described by its origin only in logs', () => {
    expect(describeUrl(SLACK)).toBe('https://hooks.slack.com');
    expect(describeUrl('https://user:pw-secret@teams.example:8443/hook/abc?token=t0k')).toBe('https://teams.example:8443');
    expect(describeUrl('hooks.slack.com/services/T000/B000/XXXXSECRET')).not.toContain('XXXXSECRET');
    expect(describeUrl('XXXXSECRET')).not.toContain('XXXXSECRET');
    expect(describeUrl('mailto:ops-XXXXSECRET@example.com')).not.toContain('XXXXSECRET');
  });
});
