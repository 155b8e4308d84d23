import type { SqlExecutor } from '../../db/src/sql-executor';

/**
 * Starts a new round of a delivery of the given endpoint: the same event
 * with the same id, sent again whatever the last round's outcome. Returns
 * the new round for the job, or null when the delivery is not the
 * endpoint's or not visible to this tenant.
 */
export async function startRedelivery(db: SqlExecutor, endpointId: string, deliveryId: string): Promise<number | null> {
  const rows = await db.execute<Array<{ round: number }>>(
    `UPDATE webhook_deliveries SET status = 'pending', round = round + 1, next_attempt_at = now()
     WHERE id = ? AND endpoint_id = ? RETURNING round`,
    [deliveryId, endpointId],
  );
  return rows[0]?.round ?? null;
}
