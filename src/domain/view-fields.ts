/**
 * The JSON fields of a view, listed once next to its type, so that a command can check `--fields`
 * before it runs (src/cli/json-fields.ts). The compiler holds the list to the type: a field of `T`
 * left out, or a name `T` does not have, fails the build.
 */
export function viewFields<T>() {
  return <const K extends ReadonlyArray<keyof T & string>>(fields: K & (Exclude<keyof T, K[number]> extends never ? unknown : never)): K => fields;
}
