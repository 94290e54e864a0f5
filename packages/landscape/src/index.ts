/**
 * @packageDocumentation
 * `@sam/landscape`: see the package README. This entry point is filled by its own issue.
 */
export {};
