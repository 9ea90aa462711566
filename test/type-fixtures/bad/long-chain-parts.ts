// Errors past the builder's internal boundary (every 31 .step() calls the newest names are merged into the rest of
// the scope): a re-written name keeps no stale type, a name used in both parts is a duplicate, a missing input is
// still named.
import { pipeline, task } from 'runnable-ts';

const makeX = task(() => ({ x: 1 }), { name: 'make_x', returns: ['x'] });
const retype = task(({ x }: { x: number }) => ({ x: `#${x}` }), { name: 'retype', returns: ['x'] });
const needsString = (name: string) => task(({ x }: { x: string }) => ({ [`${name}_out`]: x.length }), { name, returns: [`${name}_out`] });
const readStr = task(({ x, y3 }: { x: string; y3: number }) => ({ len: x.length + y3 }), { name: 'read_str', returns: ['len'] });
const readStr2 = task(({ x, y40 }: { x: string; y40: number }) => ({ len2: x.length + y40 }), { name: 'read_str2', returns: ['len2'] });

const needsNumber = task(({ x }: { x: number }) => ({ n: x }), { name: 'needs_number', returns: ['n'] });
const needsZ = task(({ z }: { z: number }) => ({ zz: z }), { name: 'needs_z', returns: ['zz'] });

export const long = pipeline('long')
  .step(makeX)
  .step(task(() => ({ y1: 1 }), { name: 'f1', returns: ['y1'] }))
  .step(task(() => ({ y2: 2 }), { name: 'f2', returns: ['y2'] }))
  .step(task(() => ({ y3: 3 }), { name: 'f3', returns: ['y3'] }))
  .step(task(() => ({ y4: 4 }), { name: 'f4', returns: ['y4'] }))
  .step(task(() => ({ y5: 5 }), { name: 'f5', returns: ['y5'] }))
  .step(task(() => ({ y6: 6 }), { name: 'f6', returns: ['y6'] }))
  .step(task(() => ({ y7: 7 }), { name: 'f7', returns: ['y7'] }))
  .step(task(() => ({ y8: 8 }), { name: 'f8', returns: ['y8'] }))
  .step(task(() => ({ y9: 9 }), { name: 'f9', returns: ['y9'] }))
  .step(task(() => ({ y10: 10 }), { name: 'f10', returns: ['y10'] }))
  .step(task(() => ({ y11: 11 }), { name: 'f11', returns: ['y11'] }))
  .step(task(() => ({ y12: 12 }), { name: 'f12', returns: ['y12'] }))
  .step(task(() => ({ y13: 13 }), { name: 'f13', returns: ['y13'] }))
  .step(task(() => ({ y14: 14 }), { name: 'f14', returns: ['y14'] }))
  .step(task(() => ({ y15: 15 }), { name: 'f15', returns: ['y15'] }))
  .step(task(() => ({ y16: 16 }), { name: 'f16', returns: ['y16'] }))
  .step(task(() => ({ y17: 17 }), { name: 'f17', returns: ['y17'] }))
  .step(task(() => ({ y18: 18 }), { name: 'f18', returns: ['y18'] }))
  .step(task(() => ({ y19: 19 }), { name: 'f19', returns: ['y19'] }))
  .step(task(() => ({ y20: 20 }), { name: 'f20', returns: ['y20'] }))
  .step(task(() => ({ y21: 21 }), { name: 'f21', returns: ['y21'] }))
  .step(task(() => ({ y22: 22 }), { name: 'f22', returns: ['y22'] }))
  .step(task(() => ({ y23: 23 }), { name: 'f23', returns: ['y23'] }))
  .step(task(() => ({ y24: 24 }), { name: 'f24', returns: ['y24'] }))
  .step(task(() => ({ y25: 25 }), { name: 'f25', returns: ['y25'] }))
  .step(task(() => ({ y26: 26 }), { name: 'f26', returns: ['y26'] }))
  .step(task(() => ({ y27: 27 }), { name: 'f27', returns: ['y27'] }))
  .step(task(() => ({ y28: 28 }), { name: 'f28', returns: ['y28'] }))
  .step(task(() => ({ y29: 29 }), { name: 'f29', returns: ['y29'] }))
  .step(task(() => ({ y30: 30 }), { name: 'f30', returns: ['y30'] }))
  .step(task(() => ({ y31: 31 }), { name: 'f31', returns: ['y31'] }))
  .step(task(() => ({ y32: 32 }), { name: 'f32', returns: ['y32'] }))
  .step(task(() => ({ y33: 33 }), { name: 'f33', returns: ['y33'] }))
  .step(task(() => ({ y34: 34 }), { name: 'f34', returns: ['y34'] }))
  .step(task(() => ({ y35: 35 }), { name: 'f35', returns: ['y35'] }))
  .step(retype)
  // @expect-error ✖ input 'x' has an incompatible type: expected number, got string
  .step(needsNumber)
  .step(task(() => ({ y36: 36 }), { name: 'f36', returns: ['y36'] }))
  .step(task(() => ({ y37: 37 }), { name: 'f37', returns: ['y37'] }))
  .step(task(() => ({ y38: 38 }), { name: 'f38', returns: ['y38'] }))
  .step(task(() => ({ y39: 39 }), { name: 'f39', returns: ['y39'] }))
  .step(task(() => ({ y40: 40 }), { name: 'f40', returns: ['y40'] }))
  .step(task(() => ({ y41: 41 }), { name: 'f41', returns: ['y41'] }))
  .step(task(() => ({ y42: 42 }), { name: 'f42', returns: ['y42'] }))
  .step(task(() => ({ y43: 43 }), { name: 'f43', returns: ['y43'] }))
  .step(task(() => ({ y44: 44 }), { name: 'f44', returns: ['y44'] }))
  .step(task(() => ({ y45: 45 }), { name: 'f45', returns: ['y45'] }))
  .step(task(() => ({ y46: 46 }), { name: 'f46', returns: ['y46'] }))
  .step(task(() => ({ y47: 47 }), { name: 'f47', returns: ['y47'] }))
  .step(task(() => ({ y48: 48 }), { name: 'f48', returns: ['y48'] }))
  .step(task(() => ({ y49: 49 }), { name: 'f49', returns: ['y49'] }))
  .step(task(() => ({ y50: 50 }), { name: 'f50', returns: ['y50'] }))
  .step(task(() => ({ y51: 51 }), { name: 'f51', returns: ['y51'] }))
  .step(task(() => ({ y52: 52 }), { name: 'f52', returns: ['y52'] }))
  .step(task(() => ({ y53: 53 }), { name: 'f53', returns: ['y53'] }))
  .step(task(() => ({ y54: 54 }), { name: 'f54', returns: ['y54'] }))
  .step(task(() => ({ y55: 55 }), { name: 'f55', returns: ['y55'] }))
  .step(task(() => ({ y56: 56 }), { name: 'f56', returns: ['y56'] }))
  .step(task(() => ({ y57: 57 }), { name: 'f57', returns: ['y57'] }))
  .step(task(() => ({ y58: 58 }), { name: 'f58', returns: ['y58'] }))
  .step(task(() => ({ y59: 59 }), { name: 'f59', returns: ['y59'] }))
  .step(task(() => ({ y60: 60 }), { name: 'f60', returns: ['y60'] }))
  .step(task(() => ({ y61: 61 }), { name: 'f61', returns: ['y61'] }))
  .step(task(() => ({ y62: 62 }), { name: 'f62', returns: ['y62'] }))
  .step(task(() => ({ y63: 63 }), { name: 'f63', returns: ['y63'] }))
  .step(task(() => ({ y64: 64 }), { name: 'f64', returns: ['y64'] }))
  .step(task(() => ({ y65: 65 }), { name: 'f65', returns: ['y65'] }))
  .step(task(() => ({ y66: 66 }), { name: 'f66', returns: ['y66'] }))
  .step(task(() => ({ y67: 67 }), { name: 'f67', returns: ['y67'] }))
  .step(task(() => ({ y68: 68 }), { name: 'f68', returns: ['y68'] }))
  .step(task(() => ({ y69: 69 }), { name: 'f69', returns: ['y69'] }))
  .step(task(() => ({ y70: 70 }), { name: 'f70', returns: ['y70'] }))
  .step(task(() => ({ y71: 71 }), { name: 'f71', returns: ['y71'] }))
  .step(task(() => ({ y72: 72 }), { name: 'f72', returns: ['y72'] }))
  .step(task(() => ({ y73: 73 }), { name: 'f73', returns: ['y73'] }))
  .step(task(() => ({ y74: 74 }), { name: 'f74', returns: ['y74'] }))
  // @expect-error ✖ input 'x' has an incompatible type: expected number, got string
  .step(needsNumber, { name: 'needs_number_again' })
  // @expect-error ✖ step name 'f3' is already used in this pipeline
  .step(task(() => ({ w: 1 }), { name: 'f3', returns: ['w'] }))
  // @expect-error ✖ step name 'f70' is already used in this pipeline
  .step(task(() => ({ w: 1 }), { name: 'f70', returns: ['w'] }))
  // @expect-error ✖ missing input 'z'
  .step(needsZ)
  .build();
