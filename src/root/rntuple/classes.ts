/** True for the class names of an RNTuple anchor key (ROOT 6.34+ and the pre-release name). */
export function isRNTupleClass(className: string): boolean {
  return className === "ROOT::RNTuple" || className === "ROOT::Experimental::RNTuple";
}
