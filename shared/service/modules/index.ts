// The service's domain modules, in registration order. createDjpService (shared/service/index.ts)
// registers every one over one ServiceContext; an operation registered twice fails at start.
import { approvalsModule } from './approvals.js';
import { attachmentsModule } from './attachments.js';
import { batchesModule } from './batches.js';
import { exportModule } from './export.js';
import { infoModule } from './info.js';
import { runsModule } from './runs.js';
import { subscribeModule } from './subscribe.js';
import { templatesModule } from './templates.js';
import { threadsModule } from './threads.js';

export const SERVICE_MODULES = [runsModule, subscribeModule, approvalsModule, threadsModule, attachmentsModule, templatesModule, exportModule, batchesModule, infoModule] as const;

export { defineModule, registerModules, type ServiceModule, type ServiceMembers } from './registry.js';
