/**
 * Long-running commands (`scout server`, `scout worker`) run until SIGINT or SIGTERM, then close
 * what they started (finishing running jobs, closing the database) before the command returns,
 * so the process exits on its own with its normal exit code rather than being cut off mid-write.
 */
export function untilStopped(close: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
