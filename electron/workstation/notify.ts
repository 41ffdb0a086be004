// One value told to every listener of a set: a broken subscriber must not stop the others (nor the
// sync pass or the call that emitted it); its failure goes to `onError` (the log).

export function notifyEach<T>(
  listeners: Iterable<(value: T) => void>,
  value: T,
  onError: (err: unknown) => void,
): void {
  for (const l of listeners) {
    try {
      l(value);
    } catch (err) {
      onError(err);
    }
  }
}
