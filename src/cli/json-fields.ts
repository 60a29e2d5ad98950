type FieldList = () => Promise<readonly string[]>;

const declared = new WeakMap<object, FieldList>();

/**
 * Declares the fields a command's JSON can hold (every shape it prints), so that a `--fields` name
 * none of them has is refused before the command runs (gh does the same with `--json`): a write
 * must not happen and then end in exit 2. The list is loaded only when `--fields` is given.
 */
export function printsFields<C extends object>(command: C, fields: FieldList): C {
  declared.set(command, fields);
  return command;
}

/** The usage error of an unknown `--fields` name, before the action, for a command that declared its fields. */
export async function checkDeclaredFields(command: object, fields: readonly string[] | undefined): Promise<void> {
  const list = declared.get(command);
  if (fields === undefined || list === undefined) return;
  const known = new Set(await list());
  const unknown = fields.filter((field) => !known.has(field));
  if (unknown.length > 0) {
    const { unknownFieldsError } = await import('./output.js');
    throw unknownFieldsError(unknown, known);
  }
}
