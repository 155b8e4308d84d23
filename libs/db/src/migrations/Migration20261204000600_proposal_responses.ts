import { Migration } from '@mikro-orm/migrations';

const TENANT = '(SELECT app_current_tenant_id())';
const COMPANY = '(SELECT app_current_company_id())';
const USER = '(SELECT app_current_user_id())';

/** Today's date in the tenant's time zone, the day a proposal's validity is counted in. */
const TENANT_TODAY = `(SELECT (now() AT TIME ZONE t.time_zone)::date FROM tenants t WHERE t.id = ${TENANT})`;

/**
 * Lets a portal user accept or decline an open proposal of their company.
 *
 * The customer role may update only the response columns (column grants),
 * only on its company's shared proposals that are still open on the
 * tenant's calendar (USING), and only to a final answer given as itself
 * (WITH CHECK). Two answers racing for one proposal both run the UPDATE;
 * the second re-checks USING against the committed row, finds it answered
 * and updates nothing.
 *
 * The accepted totals are computed by a trigger from the proposal's own
 * lines, so a client cannot write its own price. The length checks are
 * NOT VALID so answers recorded before them are kept as they were.
 *
 * A proposal the customer signed in the portal (response_hash set) is
 * frozen: staff, the API and provisioning may still share or unshare it,
 * but not change its terms, lines or company. Line changes lock the
 * proposal row first, so a line edit and a signature never interleave.
 */
export class Migration20261204000600_proposal_responses extends Migration {
  override async up(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');

    this.addSql(`
      ALTER TABLE proposals
        ADD COLUMN response_ip inet,
        ADD COLUMN response_user_agent text CHECK (length(response_user_agent) <= 512),
        ADD COLUMN response_hash text CHECK (response_hash ~ '^[0-9a-f]{64}$'),
        ADD COLUMN accepted_line_ids uuid[] NOT NULL DEFAULT '{}',
        ADD COLUMN accepted_subtotal_minor bigint CHECK (accepted_subtotal_minor >= 0),
        ADD COLUMN accepted_tax_minor bigint CHECK (accepted_tax_minor >= 0),
        ADD COLUMN accepted_total_minor bigint CHECK (accepted_total_minor >= 0),
        ADD CONSTRAINT proposals_response_name_length CHECK (length(response_name) BETWEEN 1 AND 200) NOT VALID,
        ADD CONSTRAINT proposals_response_reason_length CHECK (length(response_reason) <= 2000) NOT VALID;`);

    this.addSql(ACCEPTED_TOTALS_TRIGGER);
    this.addSql(SIGNED_PROPOSAL_FREEZE);

    // Staff hear about each answer by email.
    this.addSql(`
      ALTER TABLE email_deliveries DROP CONSTRAINT email_deliveries_kind_check;
      ALTER TABLE email_deliveries ADD CONSTRAINT email_deliveries_kind_check
        CHECK (kind IN ('branding_test', 'invitation', 'password_reset', 'document_shared', 'proposal_responded'));`);

    this.addSql(`
      GRANT UPDATE (status, responded_at, responded_by_user_id, response_name, response_reason, response_ip,
        response_user_agent, response_hash, accepted_line_ids, accepted_subtotal_minor, accepted_tax_minor,
        accepted_total_minor, updated_at) ON proposals TO portal_customer;
      CREATE POLICY customer_respond ON proposals FOR UPDATE TO portal_customer
        USING (company_id = ${COMPANY} AND shared_at IS NOT NULL AND status = 'sent'
          AND valid_until >= ${TENANT_TODAY})
        WITH CHECK (company_id = ${COMPANY} AND shared_at IS NOT NULL AND status IN ('accepted', 'declined')
          AND responded_by_user_id = ${USER} AND responded_at IS NOT NULL AND response_hash IS NOT NULL
          AND (status = 'declined' OR response_name IS NOT NULL));`);

    this.addSql('RESET ROLE;');
  }

  override async down(): Promise<void> {
    this.addSql('SET LOCAL ROLE portal_owner;');
    this.addSql(`
      DELETE FROM email_deliveries WHERE kind = 'proposal_responded';
      ALTER TABLE email_deliveries DROP CONSTRAINT email_deliveries_kind_check;
      ALTER TABLE email_deliveries ADD CONSTRAINT email_deliveries_kind_check
        CHECK (kind IN ('branding_test', 'invitation', 'password_reset', 'document_shared'));`);
    this.addSql(`
      DROP POLICY customer_respond ON proposals;
      REVOKE UPDATE ON proposals FROM portal_customer;
      DROP TRIGGER proposal_lines_follow_signature ON proposal_lines;
      DROP FUNCTION proposal_lines_follow_signature();
      DROP TRIGGER proposals_signed_frozen ON proposals;
      DROP FUNCTION proposal_signed_frozen();
      DROP TRIGGER proposals_accepted_totals ON proposals;
      DROP FUNCTION proposal_accepted_totals();
      ALTER TABLE proposals
        DROP CONSTRAINT proposals_response_reason_length,
        DROP CONSTRAINT proposals_response_name_length,
        DROP COLUMN accepted_total_minor,
        DROP COLUMN accepted_tax_minor,
        DROP COLUMN accepted_subtotal_minor,
        DROP COLUMN accepted_line_ids,
        DROP COLUMN response_hash,
        DROP COLUMN response_user_agent,
        DROP COLUMN response_ip;`);
    this.addSql('RESET ROLE;');
  }
}

// Runs as the role that updates the proposal (SECURITY INVOKER), so it reads
// only the lines that role may read. Optional lines the customer ticked are
// added to the required subtotal. The proposal stores one tax amount, not a
// rate, so tax on the chosen optional lines is taken at the same ratio of
// tax to subtotal, rounded half up to a minor unit.
const ACCEPTED_TOTALS_TRIGGER = `
CREATE FUNCTION proposal_accepted_totals() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
AS $$
DECLARE
  chosen bigint;
  chosen_count integer;
BEGIN
  IF NEW.status <> 'accepted' THEN
    NEW.accepted_line_ids := '{}';
    NEW.accepted_subtotal_minor := NULL;
    NEW.accepted_tax_minor := NULL;
    NEW.accepted_total_minor := NULL;
    RETURN NEW;
  END IF;
  -- Later edits keep the totals the customer accepted unless the choice or the prices change.
  IF TG_OP = 'UPDATE' AND OLD.status = 'accepted' AND OLD.accepted_total_minor IS NOT NULL
     AND NEW.accepted_line_ids = OLD.accepted_line_ids
     AND NEW.subtotal_minor = OLD.subtotal_minor AND NEW.tax_minor = OLD.tax_minor THEN
    RETURN NEW;
  END IF;

  NEW.accepted_line_ids := ARRAY(SELECT DISTINCT unnest(NEW.accepted_line_ids) ORDER BY 1);
  SELECT coalesce(sum(l.amount_minor), 0), count(*) INTO chosen, chosen_count
    FROM proposal_lines l
    WHERE l.tenant_id = NEW.tenant_id AND l.proposal_id = NEW.id AND l.is_optional
      AND l.id = ANY (NEW.accepted_line_ids);
  IF chosen_count <> cardinality(NEW.accepted_line_ids) THEN
    RAISE EXCEPTION 'accepted_line_ids must name optional lines of proposal %', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'proposals_accepted_lines_optional';
  END IF;

  NEW.accepted_subtotal_minor := NEW.subtotal_minor + chosen;
  NEW.accepted_tax_minor := CASE WHEN NEW.subtotal_minor = 0 THEN NEW.tax_minor
    ELSE NEW.tax_minor + round(chosen::numeric * NEW.tax_minor / NEW.subtotal_minor)::bigint END;
  NEW.accepted_total_minor := NEW.accepted_subtotal_minor + NEW.accepted_tax_minor;
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION proposal_accepted_totals() FROM PUBLIC;
CREATE TRIGGER proposals_accepted_totals BEFORE INSERT OR UPDATE ON proposals
  FOR EACH ROW EXECUTE FUNCTION proposal_accepted_totals();
`;

// Compared as jsonb without the columns that may still change, so any other
// column, including company_id, counts as an edit.
const SIGNED_PROPOSAL_FREEZE = `
CREATE FUNCTION proposal_signed_frozen() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
AS $$
BEGIN
  IF OLD.response_hash IS NOT NULL
     AND to_jsonb(NEW) - 'shared_at' - 'updated_at' IS DISTINCT FROM to_jsonb(OLD) - 'shared_at' - 'updated_at' THEN
    RAISE EXCEPTION 'proposal % was signed by the customer and can no longer change', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'proposals_signed_frozen';
  END IF;
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION proposal_signed_frozen() FROM PUBLIC;
CREATE TRIGGER proposals_signed_frozen BEFORE UPDATE ON proposals
  FOR EACH ROW EXECUTE FUNCTION proposal_signed_frozen();

CREATE FUNCTION proposal_lines_follow_signature() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public
AS $$
DECLARE
  line proposal_lines%ROWTYPE := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  signed text;
BEGIN
  -- A row lock on the proposal, the same one a customer's signature takes.
  -- A proposal deleted in this statement is gone, so its lines may go too.
  SELECT p.response_hash INTO signed FROM proposals p
    WHERE p.tenant_id = line.tenant_id AND p.id = line.proposal_id FOR UPDATE;
  IF signed IS NOT NULL THEN
    RAISE EXCEPTION 'proposal % was signed by the customer and its lines can no longer change', line.proposal_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'proposals_signed_frozen';
  END IF;
  RETURN line;
END $$;
REVOKE ALL ON FUNCTION proposal_lines_follow_signature() FROM PUBLIC;
CREATE TRIGGER proposal_lines_follow_signature BEFORE INSERT OR UPDATE OR DELETE ON proposal_lines
  FOR EACH ROW EXECUTE FUNCTION proposal_lines_follow_signature();
`;
