/** Event types an endpoint can subscribe to, with the label the console shows. */
export const WEBHOOK_EVENT_TYPES = [
  { type: 'proposal.accepted', label: 'A customer accepted a proposal' },
  { type: 'proposal.declined', label: 'A customer declined a proposal' },
  { type: 'service_request.created', label: 'A customer filed a service request' },
  { type: 'portal_user.activated', label: 'An invited portal user set their first password' },
  { type: 'document.viewed', label: 'A portal user downloaded a document PDF' },
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]['type'];

/** The console's test event, sent to one endpoint whatever it subscribes to. */
export const PING_EVENT = 'ping';

const KNOWN = new Set<string>(WEBHOOK_EVENT_TYPES.map((entry) => entry.type));

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && KNOWN.has(value);
}
