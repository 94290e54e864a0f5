import { describe, expect, it } from "vitest";
import { assembleModule, bumpBy, forLoop, I32, w } from "./wasmAssembler";

interface Api {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBuffer };
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: Api }).WebAssembly;

describe("wasmAssembler", () => {
  it("assembles a loop that runs on an imported memory (plain and shared)", () => {
    // fill(ptr, n): for (i = 0; i < n; i++) f32[ptr + 4i] = f32[ptr + 4i] + f32[ptr + 4i] (doubles in place)
    const body = forLoop(2, 1, [
      ...w.get(3),
      ...w.get(3),
      ...w.f32load(),
      ...w.get(3),
      ...w.f32load(),
      0x92, // f32.add
      ...w.f32store(),
      ...bumpBy(3, 4),
    ]);
    for (const shared of [false, true]) {
      const bytes = assembleModule(
        [
          {
            name: "double",
            params: 2,
            locals: [{ type: I32, count: 2 }],
            body: [...w.get(0), ...w.set(3), ...body],
          },
        ],
        shared,
      );
      const memory = shared
        ? new WA.Memory({ initial: 1, maximum: 16, shared: true })
        : new WA.Memory({ initial: 1 });
      const f32 = new Float32Array(memory.buffer);
      f32.set([1, 2, 3, 4, 5], 10);
      const { double } = new WA.Instance(new WA.Module(bytes), { env: { memory } }).exports as {
        double(ptr: number, n: number): void;
      };
      double(44, 3);
      expect([...f32.subarray(10, 15)]).toEqual([1, 4, 6, 8, 5]);
    }
  });

  it("encodes large and negative constants (LEB128)", () => {
    expect(w.i32(624485)).toEqual([0x41, 0xe5, 0x8e, 0x26]);
    expect(w.i32(-123456)).toEqual([0x41, 0xc0, 0xbb, 0x78]);
    expect(w.get(300)).toEqual([0x20, 0xac, 0x02]);
  });
});
