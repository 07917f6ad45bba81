/** How often the parent's pid is checked, for parents that did not give an IPC channel. */
const PARENT_POLL_MS = 200;

/**
 * Calls `onParentGone` once when the process that started this one ends, however it ended
 * (SIGKILL included): its IPC channel closes (when started with one), or this process is
 * handed to another parent (the pid check catches parents without a channel). Neither watch
 * keeps the process alive.
 */
export function watchParent(onParentGone: () => void): void {
  const parent = process.ppid;
  let gone = false;
  const fire = () => {
    if (gone) return;
    gone = true;
    clearInterval(poll);
    onParentGone();
  };
  const poll = setInterval(() => {
    if (process.ppid !== parent) fire();
  }, PARENT_POLL_MS);
  poll.unref();
  if (process.channel) {
    process.once('disconnect', fire);
    process.channel.unref();
  }
}
