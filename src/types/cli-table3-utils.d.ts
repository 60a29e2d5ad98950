/** cli-table3's own width measure (ANSI codes stripped, wide characters counted twice). */
declare module 'cli-table3/src/utils.js' {
  export function strlen(text: string): number;
}
