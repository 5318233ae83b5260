/**
 * Makes a function that runs the async jobs given to it one at a time, in order. The kernel
 * passes every runtime change through one, so an enable cannot interleave with a reload.
 */
export function serialize(): <T>(job: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(job: () => Promise<T>) => {
    const result = tail.then(job, job);
    tail = result.catch(() => undefined);
    return result;
  };
}
