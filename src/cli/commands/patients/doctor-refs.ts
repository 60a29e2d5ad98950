/** `--doctor a --doctor b,c` → ['a', 'b', 'c']. */
export function doctorRefs(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(',')).map((ref) => ref.trim()).filter((ref) => ref !== '');
}
