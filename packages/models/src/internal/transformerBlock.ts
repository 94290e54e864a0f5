import * as tfl from "@tensorflow/tfjs-layers";
import { MultiHeadAttention } from "../layers/multiHeadAttention";
import { PositionEmbedding } from "../layers/positionEmbedding";
import { dense, head, layerNorm } from "./layerFactory";
import type { MetaRecorder } from "./metaRecorder";

/**
 * One pre-norm transformer encoder block (as in ViT, Dosovitskiy et al. 2021, eq. 2-3), recorded as
 * its own block `p` (e.g. `block1`):
 *
 *   `x' = x + W_o MHA(W_q LN1(x), W_k LN1(x), W_v LN1(x))`
 *   `y  = x' + W_2 gelu(W_1 LN2(x'))`
 *
 * Layers: `${p}_ln1`, `${p}_query`, `${p}_key`, `${p}_value`, `${p}_attn`, `${p}_attn_out`,
 * `${p}_add1`, `${p}_ln2`, `${p}_mlp1`, `${p}_mlp2`, `${p}_add2`. No dropout (deterministic).
 */
export function transformerBlock(
  rec: MetaRecorder,
  p: string,
  x: tfl.SymbolicTensor,
  dim: number,
  heads: number,
  mlpDim: number,
): tfl.SymbolicTensor {
  rec.block(p);
  const h = layerNorm(rec, `${p}_ln1`).apply(x) as tfl.SymbolicTensor;
  const q = dense(rec, `${p}_query`, dim).apply(h) as tfl.SymbolicTensor;
  const k = dense(rec, `${p}_key`, dim).apply(h) as tfl.SymbolicTensor;
  const v = dense(rec, `${p}_value`, dim).apply(h) as tfl.SymbolicTensor;
  const a = rec.add(new MultiHeadAttention({ name: `${p}_attn`, numHeads: heads })).apply([q, k, v]);
  const o = dense(rec, `${p}_attn_out`, dim).apply(a as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const x1 = rec.add(tfl.layers.add({ name: `${p}_add1` })).apply([x, o]) as tfl.SymbolicTensor;
  const h2 = layerNorm(rec, `${p}_ln2`).apply(x1) as tfl.SymbolicTensor;
  const m1 = dense(rec, `${p}_mlp1`, mlpDim, "gelu").apply(h2) as tfl.SymbolicTensor;
  const m2 = dense(rec, `${p}_mlp2`, dim).apply(m1) as tfl.SymbolicTensor;
  return rec.add(tfl.layers.add({ name: `${p}_add2` })).apply([x1, m2]) as tfl.SymbolicTensor;
}

/** Throws unless `dim` is divisible by `heads`. */
export function checkHeads(fn: string, dim: number, heads: number): void {
  if (dim % heads !== 0) {
    throw new Error(`${fn}: dim (${dim}) must be divisible by heads (${heads}); e.g. dim 64 with 4 heads.`);
  }
}

/** What {@link transformerEncoder} builds on top of the token embeddings. */
export interface EncoderOptions {
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlpDim: number;
  readonly numClasses: number;
  readonly headActivation?: "linear" | "softmax" | undefined;
}

/**
 * The part ViT and the text transformer share, from token embeddings `[batch, T, dim]` to
 * logits: a learned position embedding (tagged `embedding`), `depth` pre-norm blocks, a final
 * LayerNorm, mean pooling over tokens and the `head` block.
 */
export function transformerEncoder(
  rec: MetaRecorder,
  tokens: tfl.SymbolicTensor,
  o: EncoderOptions,
): tfl.SymbolicTensor {
  let x = rec
    .add(new PositionEmbedding({ name: "pos_embed", seed: rec.nextSeed() }))
    .apply(tokens) as tfl.SymbolicTensor;
  rec.tag("pos_embed/embeddings", ["embedding"]);
  for (let i = 1; i <= o.depth; i++) x = transformerBlock(rec, `block${i}`, x, o.dim, o.heads, o.mlpDim);
  rec.block("head");
  x = layerNorm(rec, "final_ln").apply(x) as tfl.SymbolicTensor;
  x = rec.add(tfl.layers.globalAveragePooling1d({ name: "pool" })).apply(x) as tfl.SymbolicTensor;
  return head(rec, o.numClasses, o.headActivation ?? "linear").apply(x) as tfl.SymbolicTensor;
}
