import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';

/** Records of one name; a type left out has no records, and a name left out does not exist. */
export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  TXT?: string[];
}

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, the form DNS_SERVERS takes. */
  address: string;
  /** Replaces the records of a name; names are matched without case and without a trailing dot. */
  set(name: string, records: DnsRecords): void;
  /** How many questions for this name the server has answered. */
  queries(name: string): number;
  close(): Promise<void>;
}

function key(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function answersFor(question: dnsPacket.Question, records: DnsRecords | undefined): dnsPacket.Answer[] {
  if (!records) return [];
  const base = { name: question.name, ttl: 1, class: 'IN' as const };
  if (question.type === 'A') return (records.A ?? []).map((data) => ({ ...base, type: 'A' as const, data }));
  if (question.type === 'AAAA') return (records.AAAA ?? []).map((data) => ({ ...base, type: 'AAAA' as const, data }));
  if (question.type === 'TXT') return (records.TXT ?? []).map((data) => ({ ...base, type: 'TXT' as const, data }));
  return [];
}

/**
 * Starts a DNS server on a free UDP port of 127.0.0.1 that answers A, AAAA
 * and TXT questions from a table the test sets. Unknown names get
 * NXDOMAIN. Answers carry a TTL of one second, so a changed record shows
 * on the next lookup.
 */
export async function startDnsServer(): Promise<TestDnsServer> {
  const table = new Map<string, DnsRecords>();
  const counts = new Map<string, number>();
  const socket: Socket = createSocket('udp4');

  socket.on('message', (message: Buffer, remote: RemoteInfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = key(question.name);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const records = table.get(name);
    const response = dnsPacket.encode({
      id: query.id,
      type: 'response',
      // 0x8000 is QR (response), 0x0100 RD copied from the query, 0x0080 RA, rcode 3 is NXDOMAIN.
      flags: 0x8000 | 0x0100 | 0x0080 | (records ? 0 : 3),
      questions: [question],
      answers: answersFor(question, records),
    });
    socket.send(response, remote.port, remote.address);
  });

  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    set(name, records) {
      table.set(key(name), records);
    },
    queries(name) {
      return counts.get(key(name)) ?? 0;
    },
    close() {
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
