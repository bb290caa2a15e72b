/**
 * Where an expression's variables come from. `lookup` returns undefined for an unknown name. It
 * may throw (the engine throws its own class for a value that is not known yet, e.g. a fact still
 * being gathered): the evaluator never catches anything, so such a throw reaches the caller
 * unchanged, under `is defined` and `default()` too.
 */
export interface ExpressionScope {
  lookup(name: string): unknown;
}

/** A scope over a plain record of variables (for tests and simple callers). */
export function scopeOf(variables: Readonly<Record<string, unknown>>): ExpressionScope {
  return { lookup: (name) => (Object.hasOwn(variables, name) ? variables[name] : undefined) };
}
