import type { AppConfig } from '../../../../libs/config/src';
import { verificationRecordName, verificationRecordValue } from '../../../../libs/domains/src/domain-name';
import type { DomainRow } from './custom-domains.service';

interface PageOptions {
  notice?: string;
  /** The hostname as submitted, shown again beside the problem. */
  value?: string;
  problem?: string;
}

function stateOf(row: DomainRow): 'verified' | 'failed' | 'pending' {
  if (row.verified_at) return 'verified';
  return row.last_check_error ? 'failed' : 'pending';
}

/** Builds the Settings → Domains page: the platform hostname first, then each custom domain. */
export function domainsPage(config: Pick<AppConfig, 'PORTAL_BASE_DOMAIN'>, slug: string, rows: DomainRow[], options: PageOptions) {
  const hasPrimary = rows.some((row) => row.is_primary && row.verified_at);
  return {
    view: 'pages/domains',
    title: options.problem ? 'Error: Domains' : 'Domains',
    notice: options.notice,
    value: options.value ?? '',
    problem: options.problem,
    platformHostname: `${slug}.${config.PORTAL_BASE_DOMAIN}`,
    platformIsPrimary: !hasPrimary,
    domains: rows.map((row) => {
      const state = stateOf(row);
      return {
        ...row,
        state,
        isVerified: state === 'verified',
        isFailed: state === 'failed',
        isPrimary: row.is_primary && state === 'verified',
        // Manifests mark their domains verified without a check, at the epoch, which is no date to show.
        verifiedOn: row.verification_token ? row.verified_at : null,
        record: row.verification_token
          ? { name: verificationRecordName(row.hostname), value: verificationRecordValue(row.verification_token) }
          : null,
      };
    }),
  };
}
