import { describe, expect, it } from 'vitest';
import { sourceTarget } from '../../shared/types.js';

describe('what a source reads, in a few words', () => {
  it.each([
    [{ name: 'a', type: 'file', path: '/var/log/app/*.log' }, '/var/log/app/*.log'],
    [{ name: 'd', type: 'docker' }, 'all containers'],
    [{ name: 'd', type: 'docker', containers: ['web', '/^api-/'] }, 'web, /^api-/'],
    // A label alone selects some containers, not all.
    [{ name: 'd', type: 'docker', labels: ['com.example.watch=true'] }, 'containers labelled com.example.watch=true'],
    [{ name: 'd', type: 'docker', containers: ['web'], labels: ['tier=front'] }, 'web (labelled tier=front)'],
    [{ name: 'j', type: 'journald' }, 'the system journal'],
    [{ name: 'j', type: 'journald', units: ['nginx.service'], identifiers: ['sshd'] }, 'the system journal: nginx.service, sshd'],
  ] as const)('%j', (config, words) => {
    expect(sourceTarget(config as never)).toBe(words);
  });
});
