import { RecordKind } from '../record-kind';
import { invoicesKind } from './invoices.kind';

/** Record kinds in navigation order. */
export const RECORD_KINDS: RecordKind[] = [invoicesKind];
