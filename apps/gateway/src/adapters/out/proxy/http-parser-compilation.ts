import { setFlagsFromString } from 'node:v8';

/**
 * Keeps WebAssembly on V8's baseline compiler (Liftoff) in this process. undici, under the
 * proxy, parses every upstream answer with llhttp compiled to WebAssembly, and V8 soon re-compiles
 * its hot parser function with TurboFan: that one compile takes about 35 MB of native memory
 * for a moment, which glibc then often keeps (fragmented), so the gateway's resident memory ended
 * a 20-client run at 160-170 MB instead of 130-140 in about one run of two. The baseline code
 * parses the few hundred bytes of a service's answer fast enough (see docs/scaling.md).
 * Must run before the first upstream connection; flags set later have no effect on code
 * compiled already.
 */
export function keepHttpParserOnBaselineCompiler(): void {
  setFlagsFromString('--no-wasm-tier-up');
  setFlagsFromString('--no-wasm-dynamic-tiering');
}
