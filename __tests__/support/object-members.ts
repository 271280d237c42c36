// Names every plain JavaScript object answers to (its prototype's members), though no file or input gave them: as
// refs, keys or secret names they must read as ordinary text.
export const OBJECT_MEMBERS = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
]
