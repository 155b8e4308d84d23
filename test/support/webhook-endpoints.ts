import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

import { loadConfig } from '../../libs/config/src';
import { encryptSecret, newSigningSecret } from '../../libs/webhooks/src/secret-box';

export interface TestEndpoint {
  id: string;
  secret: string;
}

/** Inserts an endpoint as the migrating user, with its secret encrypted under the configured key. */
export async function insertEndpoint(
  admin: Pool,
  tenantId: string,
  endpoint: { url: string; eventTypes: string[]; enabled?: boolean },
): Promise<TestEndpoint> {
  const id = randomUUID();
  const secret = newSigningSecret();
  const ciphertext = encryptSecret(loadConfig().WEBHOOK_SECRET_KEY, secret, tenantId, id);
  await admin.query(
    `INSERT INTO webhook_endpoints (tenant_id, id, url, event_types, enabled, secret_ciphertext) VALUES ($1, $2, $3, $4, $5, $6)`,
    [tenantId, id, endpoint.url, endpoint.eventTypes, endpoint.enabled ?? true, ciphertext],
  );
  return { id, secret };
}

/** Reads a delivery row as the migrating user. */
export async function deliveryRow(admin: Pool, deliveryId: string) {
  const result = await admin.query<{
    status: string;
    round: number;
    attempt_count: number;
    last_status_code: number | null;
    last_response: string | null;
    event_id: string;
  }>('SELECT status, round, attempt_count, last_status_code, last_response, event_id FROM webhook_deliveries WHERE id = $1', [
    deliveryId,
  ]);
  return result.rows[0];
}
