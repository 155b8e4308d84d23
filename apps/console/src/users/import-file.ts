import { CsvError, parse } from 'csv-parse/sync';

/** Largest CSV file the console accepts for a user import, in bytes. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

/** Maximum number of user rows in one import, not counting the header row. */
export const MAX_IMPORT_ROWS = 10_000;

/** Column names the header row must contain. A `name` column is optional. */
export const REQUIRED_COLUMNS = ['email', 'company'] as const;
const KNOWN_COLUMNS = [...REQUIRED_COLUMNS, 'name'] as const;
type KnownColumn = (typeof KNOWN_COLUMNS)[number];

/** One user row of an uploaded file, trimmed but otherwise as typed, because the worker checks the values. */
export interface ImportFileRow {
  lineNumber: number;
  email: string;
  companyRef: string;
  name: string | null;
}

/** An uploaded file that cannot be imported, with a message that names the fix. */
export class ImportFileRejectedError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileRejectedError';
  }
}

const SAVE_AS_CSV = 'In your spreadsheet program, save the sheet as "CSV UTF-8" and upload that file.';

// ZIP (xlsx, ods) and OLE2 (xls) containers: the usual wrong upload.
const WORKBOOK_SIGNATURES = [Buffer.from('504b0304', 'hex'), Buffer.from('d0cf11e0a1b11ae1', 'hex')];

// Tab, line feed and carriage return are the only control characters a CSV text file has.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Reads an uploaded user import: UTF-8 text with or without a byte order
 * mark, comma or semicolon separated, a header row naming the columns, then
 * one user per row. Blank rows are ignored. Raises ImportFileRejectedError
 * for anything that is not such a file, so nothing of it is stored.
 */
export function parseImportFile(bytes: Buffer): ImportFileRow[] {
  if (bytes.length > MAX_IMPORT_BYTES) {
    throw new ImportFileRejectedError(413, `The file is larger than ${formatBytes(MAX_IMPORT_BYTES)}. Split it into smaller files.`);
  }
  const text = decodeText(bytes);
  const delimiter = detectDelimiter(text);
  const records = parseRecords(text, delimiter);
  if (records.length === 0) throw new ImportFileRejectedError(400, 'The file is empty. The first row must name the columns.');

  const header = records[0].record;
  const columns = headerColumns(header);
  const rows = records.slice(1).map(({ record, info }) => toRow(record, info.lines, { columns, width: header.length, delimiter }));
  if (rows.length === 0) throw new ImportFileRejectedError(400, 'The file has a header row but no user rows.');
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new ImportFileRejectedError(
      413,
      `The file has more than ${MAX_IMPORT_ROWS.toLocaleString('en-US')} user rows. Split it into files of at most that many rows.`,
    );
  }
  return rows;
}

function decodeText(bytes: Buffer): string {
  if (bytes.length === 0) throw new ImportFileRejectedError(400, 'The file is empty. The first row must name the columns.');
  if (WORKBOOK_SIGNATURES.some((signature) => bytes.subarray(0, signature.length).equals(signature))) {
    throw new ImportFileRejectedError(400, `The file is a spreadsheet workbook, not a CSV file. ${SAVE_AS_CSV}`);
  }

  let text: string;
  try {
    // The decoder drops a leading UTF-8 byte order mark.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ImportFileRejectedError(400, `The file is not UTF-8 text, or it is not a text file at all. ${SAVE_AS_CSV}`);
  }
  if (CONTROL_CHARACTER.test(text)) {
    throw new ImportFileRejectedError(400, 'The file contains binary data, so it is not a CSV text file. Upload a CSV file.');
  }
  return text;
}

/** Picks the separator the header row uses more often, or a comma when it has neither. */
function detectDelimiter(text: string): ',' | ';' {
  const end = text.indexOf('\n');
  const header = end === -1 ? text : text.slice(0, end);
  const count = (character: string) => header.split(character).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

function parseRecords(text: string, delimiter: string): ParsedRecord[] {
  try {
    // The typings do not model `info: true`, which pairs each record with its position in the file.
    return parse(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      // One record past the limit is enough to know the file is too long.
      to: MAX_IMPORT_ROWS + 2,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : undefined;
    const where = line ? ` near line ${line}` : '';
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new ImportFileRejectedError(400, `A quoted value${where} has no closing double quote. Close it and upload the file again.`);
    }
    throw new ImportFileRejectedError(400, `The file could not be read as CSV${where}. Check that line and upload the file again.`);
  }
}

/** Maps each known column to its position and ignores the other columns. */
function headerColumns(header: string[]): Map<KnownColumn, number> {
  const names = header.map((name) => name.trim().toLowerCase());
  const columns = new Map<KnownColumn, number>();
  for (const column of KNOWN_COLUMNS) {
    const positions = names.flatMap((name, index) => (name === column ? [index] : []));
    if (positions.length > 1) throw new ImportFileRejectedError(400, `The header row names the column "${column}" more than once.`);
    if (positions.length === 1) columns.set(column, positions[0]);
  }

  const missing = REQUIRED_COLUMNS.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    const list = missing.map((column) => `"${column}"`).join(' and ');
    throw new ImportFileRejectedError(
      400,
      `The header row is missing the ${missing.length === 1 ? 'column' : 'columns'} ${list}. ` +
        'The first row must name the columns email, company and, optionally, name.',
    );
  }
  return columns;
}

interface FileLayout {
  columns: Map<KnownColumn, number>;
  width: number;
  delimiter: string;
}

function toRow(record: string[], lineNumber: number, layout: FileLayout): ImportFileRow {
  // A value with an unquoted separator in it would shift every later column.
  // Empty values past the header's width are only trailing separators.
  if (record.slice(layout.width).some((value) => value.trim() !== '')) {
    throw new ImportFileRejectedError(
      400,
      `Line ${lineNumber} has ${record.length} values but the header row names ${layout.width} columns. ` +
        `Put double quotes around any value that contains "${layout.delimiter}".`,
    );
  }
  const cell = (column: KnownColumn) => {
    const index = layout.columns.get(column);
    return index === undefined ? '' : (record[index] ?? '').trim();
  };
  return { lineNumber, email: cell('email'), companyRef: cell('company'), name: cell('name') || null };
}

function formatBytes(bytes: number): string {
  return `${bytes / (1024 * 1024)} MB`;
}
