/**
 * Work remembered per value for values that cannot change. The gateway's field lists are frozen and shared by every
 * request of one shape, so what is derived from them (a cache key, their JSON, their personal part) is worked out
 * once per list; anything that could still change is worked out afresh each time.
 */

/**
 * Plain data frozen all the way down (arrays and plain objects, no accessors): nothing in it can change, so neither
 * can anything derived from it. A frozen Date or Map still changes inside, and a getter can answer differently.
 */
export function deeplyFrozen(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Array.prototype && proto !== Object.prototype && proto !== null) return false;
  if (!Object.isFrozen(value)) return false;
  for (const property of Object.values(Object.getOwnPropertyDescriptors(value))) {
    if (!("value" in property)) return false;
    const v: unknown = property.value;
    if (typeof v === "object" && v !== null && !deeplyFrozen(v)) return false;
  }
  return true;
}

/** `derive`, remembered for each argument frozen all the way down while it lives; any other is derived each time. */
export function rememberFrozen<K extends object, V>(derive: (value: K) => V): (value: K) => V {
  const known = new WeakMap<K, V>();
  return (value) => {
    if (known.has(value)) return known.get(value) as V;
    const derived = derive(value);
    if (deeplyFrozen(value)) known.set(value, derived);
    return derived;
  };
}
