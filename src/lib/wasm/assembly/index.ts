// AssemblyScript entry of the module ../module.ts loads (one module for all WebAssembly hot paths).
export { snappyEncodePieces, snappyDecode } from './snappy';
export { crc32c } from './crc32c';
export {
  influxInit,
  influxTableBytes,
  influxReset,
  influxAddField,
  influxScan,
  keyAdd,
  missKeyAdd,
} from './influx';
export { keyedScan } from './keyed';
export { rwInit, rwScan, rwEmit } from './remotewrite';
export { vmimportScan } from './vmimport';
export { outInit, outReset, outLabels, outRouteJS, outRouteStart, outAddPart, outEmit } from './rows';

/** Where the module's static data ends: the JavaScript side reserves its regions from here. */
export function heapBase(): usize {
  return __heap_base;
}
