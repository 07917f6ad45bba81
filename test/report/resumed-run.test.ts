import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/report/html.js';
import { renderMarkdownSummary } from '../../src/report/markdown.js';
import { syntheticRun } from '../support/synthetic-run.js';

describe('reports of a resumed run', () => {
  const run = syntheticRun({ devices: 200, failureFraction: 0, seed: 5 });
  const resumed = { ...run, resumed: { times: 2, rerunDevices: 7 } };

  it('say in the header and the runs table that the run was resumed, how often and how many devices ran again', () => {
    const html = renderHtmlReport([resumed]);
    expect(html).toContain(
      `Resumed: run ${run.runId} was continued 2 times (7 devices cut off mid-way run again)`,
    );
    expect(html).toContain('complete, resumed 2 times (7 devices cut off mid-way run again)');
    expect(renderMarkdownSummary(resumed, [])).toContain(
      '**resumed 2x** (7 devices cut off mid-way run again)',
    );
  });

  it('say nothing of resuming for a run that was not', () => {
    expect(renderHtmlReport([run])).not.toContain('Resumed');
    expect(renderMarkdownSummary(run, [])).not.toContain('resumed');
  });
});
