/**
 * CSV cells that a spreadsheet would take for a formula (OWASP's "CSV injection"): every CSV the
 * product writes prefixes a cell that begins with = + - @ TAB or CR, after any apostrophes, with
 * one more apostrophe; every CSV import takes one off again, so an export imports losslessly, a
 * text that itself begins with `'=` included.
 */

const WRITTEN_AS_FORMULA = /^'*[=+\-@\t\r]/;
const ESCAPED_FORMULA = /^'+[=+\-@\t\r]/;

export function escapeFormulaCell(cell: string): string {
  return WRITTEN_AS_FORMULA.test(cell) ? `'${cell}` : cell;
}

export function unescapeFormulaCell(cell: string): string {
  return ESCAPED_FORMULA.test(cell) ? cell.slice(1) : cell;
}

/** csv-stringify's options for every CSV file the product writes. */
export const CSV_WRITE_OPTIONS = { cast: { string: escapeFormulaCell } };
