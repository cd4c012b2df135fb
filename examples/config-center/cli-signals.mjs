// Ctrl-C (SIGINT) and SIGTERM for `server` and `node`: before the process is up, they end it at
// once (nothing was served yet: exit code 130); once it is, they stop it cleanly, once.

/**
 * @param {() => unknown} stop  the clean stop, once started
 * @returns {{ ready(): void }}  call ready() once started
 */
export function untilSignal(stop) {
  let started = false;
  const onSignal = async (/** @type {NodeJS.Signals} */ signal) => {
    if (!started) {
      process.stderr.write(`stopped by ${signal} while starting\n`);
      process.exit(130);
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    ready() {
      started = true;
    },
  };
}
