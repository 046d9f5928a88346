// Notifications in the UI (docs/NOTIFICATIONS.md): the harness points the server at a local Slack
// receiver and SMTP server. A run pending approval shows what was sent on its page; Settings lists
// the channels by host with their last delivery — and no page ever shows the webhook secret or the
// SMTP password.
import { expect, test, waitFinished } from './fixtures.js';

test('a pending run shows its notifications; Settings shows the channels and the last delivery, never a secret', async ({ page, app }) => {
  const res = await page.request.post(`${app.base}/api/runs`, { data: { task: `Notify the approvers ${Date.now()}`, debaters: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }], require_approval: true } });
  expect(res.status()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  // Delivered and recorded on the run (two channels: Slack and email).
  await expect
    .poll(async () => {
      const r = await page.request.get(`${app.base}/api/runs/${id}`);
      return r.status() === 200 ? (((await r.json()) as { notifications?: unknown[] }).notifications?.length ?? 0) : 0;
    }, { timeout: 30_000 })
    .toBe(2);

  await app.go(`/runs/${id}`);
  const section = page.getByRole('region', { name: 'Notifications' });
  await expect(section).toBeVisible();
  await expect(section.locator('li[data-channel="slack"][data-status="sent"]')).toContainText('Slack — waiting for approval: sent (1 attempt)');
  await expect(section.locator('li[data-channel="email"][data-status="sent"]')).toContainText('Email — waiting for approval: sent');
  await app.shot('notify-run');
  for (const secret of app.secrets) expect(await page.content()).not.toContain(secret);

  await app.go('/settings');
  const settings = page.getByRole('region', { name: 'Notifications' });
  await expect(settings.getByRole('table', { name: 'Notification channels' })).toBeVisible();
  await expect(settings.locator('tr[data-channel="slack"]')).toContainText(/127\.0\.0\.1:\d+/);
  await expect(settings.locator('tr[data-channel="slack"]')).toContainText('sent');
  await expect(settings.locator('tr[data-channel="email"]')).toContainText('→ 1 recipient');
  await expect(settings).toContainText('Notifies on: waiting for approval');
  await app.shot('notify-settings');
  for (const secret of app.secrets) expect(await page.content()).not.toContain(secret);
});

test('a run page opened while the run runs shows its notifications once they are delivered, without a reload', async ({ page, app }) => {
  const res = await page.request.post(`${app.base}/api/runs`, { data: { task: `Watch the notification arrive ${Date.now()}`, debaters: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }], require_approval: true } });
  const { id } = (await res.json()) as { id: string };
  // The page's first read of the finished run answers as if it came before the delivery was recorded
  // (here the local receivers are quicker than the browser): the page must read it again by itself.
  let reads = 0;
  await page.route(`**/api/runs/${id}`, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status() === 200 && reads++ === 0) delete body['notifications'];
    await route.fulfill({ response, json: body });
  });
  await app.go(`/runs/${id}`);
  await waitFinished(page);
  const section = page.getByRole('region', { name: 'Notifications' });
  await expect(section.locator('li[data-channel="slack"][data-status="sent"]')).toBeVisible();
  await expect(section.locator('li[data-channel="email"][data-status="sent"]')).toBeVisible();
  expect(reads).toBeGreaterThanOrEqual(2);
  // The approval form is still there and works: the run stays pending until someone decides.
  await page.getByRole('region', { name: 'Approval' }).getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('heading', { name: 'Approval: approved' })).toBeVisible();
  await expect(section.locator('li')).toHaveCount(2); // the decision kept the records
});
