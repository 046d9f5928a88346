// What a replay must tell its user before it starts: the stored task is what storage kept, so a run
// whose task was redacted replays the redacted text (the original never left storage's redactor).
import type { RunArtifact } from '../api/index.js';

export function replayNotes(a: RunArtifact): string[] {
  const notes: string[] = [];
  const taskEvents = a.guardrails.redaction.events.filter((e) => e.where === 'task');
  if (taskEvents.length) {
    const kinds = [...new Set(taskEvents.map((e) => e.type))].join(', ');
    notes.push(`replaying ${a.id} with its stored, redacted task (${kinds} redacted): the providers get the redacted text, not the original`);
  }
  if (!a.policy && /[\\/]|\.json$/.test(a.parameters.policy)) notes.push(`run ${a.id} predates stored policies: its policy file ${a.parameters.policy} is read again and may have changed`);
  return notes;
}
