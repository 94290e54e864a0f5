import { seedHash } from "@sam/core";
import type { SamModelMeta } from "../samMeta";
import { checkSeed } from "./checkSeed";

/** Anything with a layer name (tfjs-layers `Layer`). */
interface Named {
  name: string;
}

/**
 * Records blocks and layer -> block assignments while a builder creates layers, and hands out
 * one derived seed per initializer, so that a builder reads top to bottom like the architecture.
 */
export class MetaRecorder {
  private readonly blocks: string[] = [];
  private readonly blockOfLayer: Record<string, number> = {};
  private readonly tags: Record<string, string[]> = {};
  private current = -1;
  private seedIndex = 0;

  constructor(
    private readonly fn: string,
    private readonly seed: number,
  ) {
    checkSeed(fn, seed);
  }

  /** Opens a new block; layers created after this belong to it. */
  block(name: string): void {
    if (this.blocks.includes(name)) throw new Error(`${this.fn}: duplicate block name '${name}'.`);
    this.blocks.push(name);
    this.current = this.blocks.length - 1;
  }

  /** Assigns `layer` to the current block and returns it. */
  add<L extends Named>(layer: L): L {
    if (this.current < 0) throw new Error(`${this.fn}: layer '${layer.name}' created before any block.`);
    if (layer.name.includes("/")) throw new Error(`${this.fn}: layer name '${layer.name}' contains '/'.`);
    if (layer.name in this.blockOfLayer) throw new Error(`${this.fn}: duplicate layer name '${layer.name}'.`);
    this.blockOfLayer[layer.name] = this.current;
    return layer;
  }

  /** Adds tags for one parameter path. */
  tag(path: string, tags: string[]): void {
    this.tags[path] = tags;
  }

  /** The next derived initializer seed (never 0). */
  nextSeed(): number {
    return seedHash(this.seed, this.seedIndex++);
  }

  /** The finished metadata. */
  finish(head: string[]): SamModelMeta {
    const meta: SamModelMeta = {
      blocks: [...this.blocks],
      blockOfLayer: { ...this.blockOfLayer },
      head: [...head],
    };
    if (Object.keys(this.tags).length > 0) meta.tags = { ...this.tags };
    return meta;
  }
}
