// The built-in gallery: templates that ship with DJP (version 1 each; a team saves later versions of
// the same id, or clones one under a new id, in the store). Each is tested to validate, render its
// example and run offline through the service (shared/templates/gallery.test.ts).
import type { TemplateFile } from '../api/index.js';

const AUDIENCES = ['executives', 'board', 'engineering', 'customers', 'all-hands'];

export const BUILTIN_TEMPLATES: TemplateFile[] = [
  {
    id: 'executive-summary',
    title: 'Executive summary',
    description: 'Condense a long document into a decision-ready summary for a named audience: the bottom line first, then what matters to them.',
    tags: ['summary', 'writing', 'leadership'],
    inputs: [
      { name: 'document', type: 'text', label: 'Document', required: true, min: 50, help: 'Paste the report, thread or notes to summarise.' },
      { name: 'audience', type: 'enum', label: 'Audience', options: AUDIENCES, default: 'executives' },
      { name: 'max_words', type: 'int', label: 'Length limit (words)', min: 50, max: 1000, default: 250 },
      { name: 'focus', type: 'multiselect', label: 'Emphasise', options: ['decisions', 'risks', 'costs', 'timeline', 'metrics'], default: ['decisions', 'risks'] },
    ],
    body: `Write an executive summary of the document below for {{ audience }}, in at most {{ max_words }} words.
Start with a one-sentence bottom line. Then give the points that matter most, emphasising {{ focus | join: ", " }}.
Name every decision that is needed, who must take it and by when, if the document says so. Do not add facts that the document does not contain; write "not stated" instead.

DOCUMENT:
{{ document }}`,
    defaults: { preset: 'quick', max_tokens: 900 },
    example: {
      document: 'Q3 review: revenue grew 12% quarter on quarter to $4.1M, driven by the enterprise tier. Churn rose from 2.1% to 3.4% after the pricing change in July; most churned accounts were on the starter plan. The data platform migration slipped six weeks because of a vendor delay; the new date is 15 November. Engineering asks for two more SREs before the holiday peak. The board must decide by 30 September whether to keep the new pricing.',
      audience: 'board',
    },
  },
  {
    id: 'code-review',
    title: 'Code review',
    description: 'Review a diff or a file the way a careful senior engineer would: correctness first, then security, performance, readability and tests, each finding with a concrete fix.',
    tags: ['engineering', 'code', 'review'],
    inputs: [
      { name: 'code', type: 'text', label: 'Code or diff', required: true, min: 10 },
      { name: 'language', type: 'enum', label: 'Language', options: ['typescript', 'javascript', 'python', 'go', 'rust', 'java', 'c#', 'c++', 'sql', 'other'], default: 'typescript' },
      { name: 'context', type: 'text', label: 'What the change is for', help: 'Optional: the ticket, the intent, constraints.' },
      { name: 'focus', type: 'multiselect', label: 'Review for', options: ['correctness', 'security', 'performance', 'readability', 'tests'], default: ['correctness', 'security', 'tests'], min: 1 },
      { name: 'strict', type: 'bool', label: 'Block on any finding', default: false },
    ],
    body: `Review this {{ language }} code. Check it for: {{ focus | join: ", " }}.
{% if context != "" %}The change is meant to: {{ context }}
{% endif %}For each finding give the line or snippet, why it is a problem, its severity (blocker, major, minor, nit) and the exact fix. Findings you are not sure of are marked "question".
{% if strict %}End with APPROVE only if there are no findings at all; otherwise REQUEST CHANGES.{% else %}End with APPROVE, APPROVE WITH NITS or REQUEST CHANGES.{% endif %}

CODE:
{{ code }}`,
    defaults: { preset: 'thorough', temperature: 0.2 },
    example: {
      code: 'function avg(xs) {\n  let s = 0;\n  for (let i = 0; i <= xs.length; i++) s += xs[i];\n  return s / xs.length;\n}',
      language: 'javascript',
      context: 'Average of a list of response times for the dashboard.',
    },
  },
  {
    id: 'rfc-critique',
    title: 'RFC critique',
    description: 'Stress-test a design document or RFC: unstated assumptions, missing alternatives, failure modes, migration and operational cost, and the questions reviewers should ask.',
    tags: ['engineering', 'design', 'review'],
    inputs: [
      { name: 'rfc', type: 'text', label: 'RFC text', required: true, min: 100 },
      { name: 'stage', type: 'enum', label: 'Stage', options: ['early draft', 'in review', 'final call'], default: 'in review' },
      { name: 'concerns', type: 'multiselect', label: 'Look hardest at', options: ['scalability', 'security', 'operability', 'cost', 'migration', 'api design', 'data model'], default: ['operability', 'migration'] },
      { name: 'max_questions', type: 'int', label: 'Questions for the author', min: 1, max: 20, default: 5 },
    ],
    body: `Critique the RFC below. It is at the "{{ stage }}" stage{% if stage == "early draft" %}, so focus on direction rather than detail{% endif %}.
Look hardest at {{ concerns | join: ", " }}.
Cover: the problem it solves and whether the evidence supports it; assumptions it does not state; alternatives it does not consider; how it fails and how that is detected; rollout, migration and rollback; the ongoing cost.
Finish with the {{ max_questions }} most important questions for the author, most important first.

RFC:
{{ rfc }}`,
    defaults: { preset: 'thorough' },
    example: {
      rfc: 'RFC 42: Move session storage from Redis to Postgres. Motivation: Redis is a single point of failure and we already run Postgres with replicas. Proposal: a sessions table keyed by token with an expires_at index; a cron job deletes expired rows every minute. Reads go to replicas. Rollout: dual-write for a week, then switch reads.',
    },
  },
  {
    id: 'incident-postmortem',
    title: 'Incident postmortem',
    description: 'Turn an incident timeline into a blameless postmortem: summary, impact, root cause with contributing factors, what went well, and owned follow-up actions.',
    tags: ['operations', 'incident', 'writing'],
    inputs: [
      { name: 'service', type: 'string', label: 'Service', required: true, max: 120 },
      { name: 'severity', type: 'enum', label: 'Severity', options: ['SEV1', 'SEV2', 'SEV3', 'SEV4'], required: true },
      { name: 'incident_date', type: 'date', label: 'Date', required: true },
      { name: 'timeline', type: 'text', label: 'Timeline and notes', required: true, min: 30, help: 'Timestamps, alerts, chat excerpts, what was tried.' },
      { name: 'impact', type: 'text', label: 'Customer impact', help: 'Optional: who was affected, for how long.' },
    ],
    body: `Write a blameless postmortem for a {{ severity }} incident on {{ service }} on {{ incident_date }}.
Sections: Summary (three sentences); Impact{% if impact != "" %} (reported: {{ impact }}){% endif %}; Timeline in UTC; Root cause and contributing factors (the "five whys", no individual blamed); Detection (how and how fast we found out); What went well; What went badly; Action items, each with an owner role, a priority and a due date — prevention first, then detection, then mitigation.
Mark anything the notes do not establish as "unknown" rather than guessing.

NOTES:
{{ timeline }}`,
    defaults: { temperature: 0.2 },
    example: {
      service: 'checkout-api',
      severity: 'SEV2',
      incident_date: '2026-10-14',
      timeline: '09:02 deploy of v2.31 starts. 09:07 error rate alert at 8%. 09:10 on-call sees connection pool exhaustion. 09:25 rollback started; 09:31 errors back to baseline. The new release opened a DB connection per request in the coupon path.',
      impact: 'About 6% of checkouts failed for 29 minutes.',
    },
  },
  {
    id: 'customer-reply',
    title: 'Customer reply',
    description: 'Draft a reply to a customer message in the right tone, answering every question they asked; held for approval before anyone sends it.',
    tags: ['support', 'writing', 'customer'],
    inputs: [
      { name: 'message', type: 'text', label: 'Customer message', required: true, min: 10 },
      { name: 'customer_name', type: 'string', label: 'Customer name', max: 100 },
      { name: 'product', type: 'string', label: 'Product', required: true, max: 100 },
      { name: 'tone', type: 'enum', label: 'Tone', options: ['warm', 'neutral', 'formal'], default: 'warm' },
      { name: 'apologise', type: 'bool', label: 'Apologise', default: false },
      { name: 'help_url', type: 'url', label: 'Help page to point to', default: 'https://example.com/help' },
      { name: 'max_words', type: 'int', label: 'Length limit (words)', min: 40, max: 400, default: 150 },
    ],
    body: `Draft a {{ tone }} reply{% if customer_name != "" %} to {{ customer_name }}{% endif %} about {{ product }}, in at most {{ max_words }} words.
Answer every question the customer asks, in order. Do not promise refunds, dates or features that the message does not establish; say what happens next instead.
{% if apologise %}Open with a sincere, specific apology.{% endif %}
Close by pointing to {{ help_url }} for anything else. Return only the reply text.

CUSTOMER MESSAGE:
{{ message }}`,
    defaults: { preset: 'quick', require_approval: true },
    example: {
      message: 'Hi, I was charged twice for my March invoice and the export button has been greyed out since yesterday. Can you fix both? — Priya',
      customer_name: 'Priya',
      product: 'Acme Billing',
      apologise: true,
    },
  },
  {
    id: 'research-brief',
    title: 'Research brief with citations',
    description: 'A sourced brief on a question: findings backed by evidence, stated uncertainty and open questions. Run it with a corpus folder (--grounded_corpus) for grounded mode.',
    tags: ['research', 'citations', 'grounded'],
    inputs: [
      { name: 'question', type: 'string', label: 'Research question', required: true, min: 10, max: 500 },
      { name: 'scope', type: 'text', label: 'Scope and exclusions' },
      { name: 'depth', type: 'enum', label: 'Depth', options: ['overview', 'detailed'], default: 'overview' },
      { name: 'min_sources', type: 'int', label: 'Sources to cite', min: 1, max: 10, default: 2 },
      { name: 'due', type: 'date', label: 'Needed by' },
    ],
    body: `Write a {{ depth }} research brief answering: {{ question }}
{% if scope != "" %}Scope: {{ scope }}
{% endif %}{% if due %}It is needed by {{ due }}.
{% endif %}Structure: the answer in two sentences; key findings, each followed by its citation; points where sources disagree; confidence and what would change it; open questions.
Cite at least {{ min_sources }} distinct sources. Put every source you rely on in "evidence", as the exact passage or reference; never invent a citation — if the sources do not answer something, say so.`,
    defaults: { preset: 'research', require_citations: 1 },
    example: { question: 'What are the trade-offs of event sourcing for an order management system?', depth: 'detailed' },
  },
  {
    id: 'translation-check',
    title: 'Translation check',
    description: 'Check a translation against its source: meaning errors, omissions, additions, terminology, register and fluency, with corrected wording for each issue.',
    tags: ['language', 'translation', 'review'],
    inputs: [
      { name: 'source_language', type: 'string', label: 'Source language', required: true, max: 60, default: 'English' },
      { name: 'target_language', type: 'string', label: 'Target language', required: true, max: 60 },
      { name: 'source_text', type: 'text', label: 'Source text', required: true },
      { name: 'translation', type: 'text', label: 'Translation', required: true },
      { name: 'register', type: 'enum', label: 'Expected register', options: ['formal', 'neutral', 'informal'], default: 'neutral' },
      { name: 'glossary', type: 'text', label: 'Glossary', help: 'Optional: required term pairs, one per line (source = target).' },
    ],
    body: `Check this {{ target_language }} translation of a {{ source_language }} text. The register should be {{ register }}.
List every issue as: the source phrase, the translated phrase, the kind (mistranslation, omission, addition, terminology, register, grammar, fluency), the severity (critical, major, minor) and a corrected translation.
{% if glossary != "" %}These term pairs are mandatory:
{{ glossary }}
{% endif %}Then give an overall verdict: publishable, publishable after the fixes, or needs retranslation.

SOURCE ({{ source_language }}):
{{ source_text }}

TRANSLATION ({{ target_language }}):
{{ translation }}`,
    defaults: { temperature: 0.1 },
    example: {
      target_language: 'German',
      source_text: 'Your subscription renews automatically on the first of each month. You can cancel at any time from Settings.',
      translation: 'Ihr Abonnement verlängert sich am Ersten jedes Jahres. Sie können jederzeit kündigen.',
      register: 'formal',
    },
  },
  {
    id: 'meeting-actions',
    title: 'Meeting notes → actions',
    description: 'Extract decisions, action items (owner, due date) and open questions from raw meeting notes or a transcript.',
    tags: ['meetings', 'summary', 'productivity'],
    inputs: [
      { name: 'notes', type: 'text', label: 'Notes or transcript', required: true, min: 20 },
      { name: 'meeting_date', type: 'date', label: 'Meeting date', required: true },
      { name: 'attendees', type: 'string', label: 'Attendees', help: 'Optional: comma-separated names, so owners match real people.' },
      { name: 'include_summary', type: 'bool', label: 'Include a short summary', default: true },
    ],
    body: `From the notes of the meeting held on {{ meeting_date }}, extract:
1. Decisions made (one line each).
2. Action items as a table: action, owner, due date (resolve relative dates such as "next Friday" against {{ meeting_date }}), status. Use "unassigned" when no owner was named.
3. Open questions and who raised them.
{% if attendees != "" %}The attendees were: {{ attendees }}. Use these names for owners.
{% endif %}{% if include_summary %}Start with a three-sentence summary.{% endif %}
Do not invent actions that the notes do not contain.

NOTES:
{{ notes }}`,
    defaults: { preset: 'quick' },
    example: {
      notes: 'Sam: the launch checklist is 80% done. We agreed to push the launch to Tuesday. Lee will fix the signup email bug by Friday. Someone needs to ask legal about the cookie banner. Question from Ana: do we need a status page for launch day?',
      meeting_date: '2026-11-02',
      attendees: 'Sam, Lee, Ana',
    },
  },
  {
    id: 'product-spec',
    title: 'Product spec',
    description: 'Draft a one-page product spec from a problem statement: users, goals and non-goals, requirements, success metrics, risks and open questions.',
    tags: ['product', 'writing', 'planning'],
    inputs: [
      { name: 'feature', type: 'string', label: 'Feature name', required: true, max: 120 },
      { name: 'problem', type: 'text', label: 'Problem', required: true, min: 30 },
      { name: 'users', type: 'string', label: 'Target users', required: true, max: 200 },
      { name: 'platforms', type: 'multiselect', label: 'Platforms', options: ['web', 'ios', 'android', 'desktop', 'api'], default: ['web'], min: 1 },
      { name: 'constraints', type: 'text', label: 'Constraints' },
      { name: 'target_date', type: 'date', label: 'Target release' },
    ],
    body: `Write a one-page product spec for "{{ feature }}" for {{ users }}, on {{ platforms | join: ", " }}.
Sections: Problem (from the statement below, with who has it and how often); Goals; Non-goals; User stories; Functional requirements, numbered and testable; Success metrics with targets; Risks and mitigations; Open questions.
{% if constraints != "" %}Constraints: {{ constraints }}
{% endif %}{% if target_date %}The target release is {{ target_date }}; flag any requirement that puts it at risk.
{% endif %}
PROBLEM:
{{ problem }}`,
    defaults: {},
    example: {
      feature: 'Saved searches',
      problem: 'Support agents re-type the same five or six ticket searches many times a day; in interviews they estimated 20 minutes a day lost, and new agents do not know the useful queries.',
      users: 'support agents and team leads',
      platforms: ['web'],
      target_date: '2027-02-01',
    },
  },
  {
    id: 'risk-assessment',
    title: 'Risk assessment',
    description: 'Assess the risks of a plan, change or vendor: a scored risk register (likelihood × impact), mitigations and the residual risk; held for approval.',
    tags: ['risk', 'planning', 'security'],
    inputs: [
      { name: 'subject', type: 'text', label: 'What is being assessed', required: true, min: 20 },
      { name: 'domains', type: 'multiselect', label: 'Risk domains', options: ['security', 'privacy', 'operational', 'financial', 'legal', 'schedule', 'reputational'], default: ['security', 'operational', 'schedule'], min: 1 },
      { name: 'scale', type: 'int', label: 'Scoring scale (1 to N)', min: 3, max: 10, default: 5 },
      { name: 'appetite', type: 'enum', label: 'Risk appetite', options: ['low', 'medium', 'high'], default: 'medium' },
    ],
    body: `Assess the risks of the following, covering {{ domains | join: ", " }}.
Produce a risk register as a table: risk, domain, likelihood (1–{{ scale }}), impact (1–{{ scale }}), score (likelihood × impact), mitigation, owner role, residual score.
Order it by score, highest first. The organisation's risk appetite is {{ appetite }}: say which risks exceed it and must be mitigated before going ahead{% if appetite == "low" %}, and recommend not proceeding if any critical risk has no mitigation{% endif %}.
End with a recommendation: proceed, proceed with conditions, or do not proceed.

SUBJECT:
{{ subject }}`,
    defaults: { require_approval: true, temperature: 0.2 },
    example: {
      subject: 'Moving our customer support chat to a new SaaS vendor that stores transcripts in the US; go-live planned in six weeks, during the holiday peak.',
      domains: ['privacy', 'operational', 'schedule'],
    },
  },
  {
    id: 'release-notes',
    title: 'Release notes',
    description: 'Turn a list of merged changes into release notes for users: highlights first, grouped by kind, internal-only changes left out.',
    tags: ['engineering', 'writing', 'product'],
    inputs: [
      { name: 'product', type: 'string', label: 'Product', required: true, max: 100 },
      { name: 'version', type: 'string', label: 'Version', required: true, pattern: 'v?\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.]+)?', help: 'Semantic version, e.g. 2.4.0' },
      { name: 'changes', type: 'text', label: 'Changes', required: true, min: 20, help: 'Commit subjects, PR titles or a changelog.' },
      { name: 'audience', type: 'enum', label: 'Audience', options: ['end users', 'administrators', 'developers'], default: 'end users' },
      { name: 'docs_url', type: 'url', label: 'Link to full changelog' },
    ],
    body: `Write release notes for {{ product }} {{ version }} for {{ audience }}.
Start with up to three highlights in plain language. Then group the rest under New, Improved, Fixed and Breaking changes (with the migration step for each breaking change). Leave out purely internal changes (refactors, CI, dependency bumps with no visible effect).
{% if docs_url != "" %}End with a link to the full changelog: {{ docs_url }}{% endif %}

CHANGES:
{{ changes }}`,
    defaults: { preset: 'quick' },
    example: {
      product: 'Acme CLI',
      version: '2.4.0',
      changes: 'feat: --json output for list commands\nfix: crash when HOME is unset\nchore: bump eslint\nfeat!: drop Node 18 support\nperf: 3x faster startup by lazy-loading plugins',
      docs_url: 'https://example.com/changelog',
    },
  },
];
