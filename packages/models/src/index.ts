/**
 * @packageDocumentation
 * `@sam/models`: see the package README. This entry point is filled by its own issue.
 */
export {};
