import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalog, type CheckId } from '../../runbooks/catalog.ts';
import { sections, type SectionId } from '../../runbooks/sections.ts';
import { SEVERITIES, severityLevels } from '../../runbooks/severity.ts';
import { slug, Slugger } from '../../src/runbook-md/slug.ts';

test('catalog: every section anchor is the GitHub anchor of its title', () => {
  for (const id of Object.keys(sections) as SectionId[]) assert.equal(sections[id].anchor, slug(sections[id].title), id);
  for (const s of SEVERITIES) assert.equal(severityLevels[s].section.anchor, slug(severityLevels[s].section.title));
});

test('catalog: every entry names a known section and a severity; ids are stable kebab/dot names', () => {
  for (const id of Object.keys(catalog) as CheckId[]) {
    const e = catalog[id];
    assert.match(id, /^[a-z0-9]+(\.[a-z0-9-]+)+$/);
    assert.ok(Object.hasOwn(sections, e.section), `${id}: section ${e.section}`);
    assert.ok(SEVERITIES.includes(e.severity));
  }
});

test('catalog: response times follow the runbook (immediate, 15 min, 1 h, 4 h)', () => {
  assert.deepEqual(SEVERITIES.map((s) => severityLevels[s].responseMinutes), [0, 15, 60, 240]);
});

test('slug: GitHub rules, mis-encoded emoji letters kept, repeats numbered', () => {
  assert.equal(slug('Incident: Service Unavailable (503/502 Errors)'), 'incident-service-unavailable-503502-errors');
  assert.equal(slug('SEV-0 - Critical (Immediate Response)'), 'sev-0---critical-immediate-response');
  assert.equal(slug('ðŸš¨ Incident Severity Levels'), 'ðÿš-incident-severity-levels');
  const s = new Slugger();
  assert.deepEqual([s.slug('Health Checks'), s.slug('Health Checks'), s.slug('Health Checks')], ['health-checks', 'health-checks-1', 'health-checks-2']);
});

test('catalog: no step the tool reports as an immediate action is silently executable: writes are marked', () => {
  for (const id of Object.keys(sections) as SectionId[]) {
    for (const a of sections[id].immediateActions) {
      const writes = /rollout (restart|undo)|\bscale\b.*--replicas|\bpatch\b|set env|create secret/.test(a.command);
      assert.equal('writes' in a && a.writes === true, writes, `${id}: ${a.command}`);
    }
  }
});
