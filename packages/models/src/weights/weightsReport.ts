/**
 * What a weight load did, by parameter path (`layerName/weightName`):
 * - `loaded`: model weights overwritten with checkpoint values;
 * - `skipped`: checkpoint weights not used (e.g. the old head in a backbone transfer);
 * - `initialized`: model weights left at their fresh initialization (e.g. the new head).
 *
 * @example
 * ```ts
 * import { loadBackbone } from '@sam/models/node';
 *
 * const { loaded, skipped, initialized } = await loadBackbone(model, './ckpt');
 * console.log(`${loaded.length} loaded; new: ${initialized.join(', ')}; unused: ${skipped.join(', ')}`);
 * ```
 */
export interface WeightsReport {
  loaded: string[];
  skipped: string[];
  initialized: string[];
}
