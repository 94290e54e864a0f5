/**
 * The `mnist` package's digit files (`src/digits/N.json`, `{ data: number[] }`). Declared here,
 * with `resolveJsonModule` off in this package, so that the compiler does not infer a type from
 * 20 MB of JSON on every typecheck.
 */
declare module "mnist/src/digits/*.json" {
  const digits: { data: number[] };
  export default digits;
}
