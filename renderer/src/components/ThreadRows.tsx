// History's thread rows: each thread (a run and its follow-ups) as one row — first task, turn count,
// branches, last status — opening to its turns. The History search box searches every turn's task
// (GET /api/threads?q=), so a word from a later turn finds the thread.
import { useEffect, useState } from 'react';
import type { ThreadSummary } from '../../../shared/api/index.js';
import { useApp, useLoad } from '../context.js';
import { formatTime, truncate } from '../lib/format.js';
import { STATUS_LABEL } from '../lib/runView.js';
import { TableWrap } from './TableWrap.js';

export function ThreadRows({ q }: { q: string }) {
  const { client } = useApp();
  const page = useLoad(() => client.listThreads({ ...(q ? { q } : {}), limit: 20 }), [client, q]);
  // Open while searching or on a wide screen; on a phone (where History puts it under the runs) one line until opened.
  const wide = () => typeof matchMedia !== 'function' || !matchMedia('(max-width: 760px)').matches;
  const [open, setOpen] = useState(() => Boolean(q) || wide());
  useEffect(() => setOpen(Boolean(q) || wide()), [q]);
  // A store or server that cannot be reached is reported once, by the run list below.
  if (page.error) return <p className="muted small">Threads could not be loaded: {page.error}</p>;
  const threads: ThreadSummary[] = page.data?.threads ?? [];
  if (threads.length === 0) return null;
  return (
    <section aria-label="Threads" className="threads">
      <details open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <strong>Threads</strong> ({threads.length}
        {page.data?.next_cursor ? '+' : ''}) <span className="muted small">{q ? 'a turn matches the search' : 'runs with follow-ups'}</span>
      </summary>
      <TableWrap label="Threads table">
        <table aria-label="Threads" className="reflow">
          <thead>
            <tr>
              <th scope="col">Last activity</th>
              <th scope="col">First task</th>
              <th scope="col">Turns</th>
              <th scope="col">Last status</th>
            </tr>
          </thead>
          <tbody>
            {threads.map((t) => (
              <tr key={t.id} data-thread={t.id}>
                <td data-label="Last activity">{formatTime(t.updated_at)}</td>
                <td data-label="First task">
                  <a href={`#/threads/${t.id}`}>{truncate(t.task, 90)}</a>
                </td>
                <td data-label="Turns">
                  {t.turns}
                  {t.branches > 1 ? ` (${t.branches} branches)` : ''}
                </td>
                <td data-label="Last status">
                  <span className={`badge status-${t.last_status}`}>{STATUS_LABEL[t.last_status as keyof typeof STATUS_LABEL] ?? t.last_status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      </details>
    </section>
  );
}
