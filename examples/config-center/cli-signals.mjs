// Ctrl-C (SIGINT) and SIGTERM for `server` and `node`: before the process is up, they end it at
// once (nothing was served yet: exit code 130); once it is, they stop it cleanly, once. A stop
// that fails is reported as any failure of the command is.

/**
 * @param {() => unknown} stop  the clean stop, once started
 * @param {(error: unknown) => void} fail  reports a stop that throws or rejects
 * @returns {{ ready(): void }}  call ready() once started
 */
export function untilSignal(stop, fail) {
  let started = false;
  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    if (!started) {
      process.stderr.write(`stopped by ${signal} while starting\n`);
      process.exit(130);
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    Promise.resolve().then(stop).catch(fail);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    ready() {
      started = true;
    },
  };
}
